/**
 * Samplers usable by any client, and the sampling arithmetic the pipeline shares with them.
 *
 * <ul>
 *   <li>Head samplers ({@link dev.spanloom.sampling.Sampler}): {@code traceIdRatioBased}, {@code
 *       parentBased}, {@code rateLimiting} and OTEP 235 {@code consistentProbability}; the first
 *       two decide exactly as the OpenTelemetry Java SDK's samplers of the same name.
 *   <li>{@link dev.spanloom.sampling.CollectorHashes}: the FNV-1a hashes and thresholds of the
 *       OpenTelemetry Collector's {@code probabilistic_sampler} and {@code tail_sampling}, so that
 *       Spanloom keeps the same traces as a Collector configured alike.
 * </ul>
 *
 * <p>Everything is pure and thread-safe unless a class says otherwise; nothing does I/O.
 */
package dev.spanloom.sampling;
