/**
 * Sampling processors: the Collector's {@code probabilistic_sampler} and {@code tail_sampling},
 * with the same configuration keys and the same decisions, and Spanloom's {@code db_statement}
 * hygiene processor. A sampler's dropped spans are done at once (its future completes) and
 * counted; they are deliberately not stored.
 */
package dev.spanloom.pipeline.sampling;
