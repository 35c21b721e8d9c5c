/**
 * Remote sampling as Jaeger serves it to SDKs: per-service strategies ({@link
 * dev.spanloom.sampling.remote.SamplingStrategy}) and the adaptive calculator that recomputes
 * per-operation probabilities toward a target of sampled traces per second ({@link
 * dev.spanloom.sampling.remote.AdaptiveSamplingCalculator}). Transport and file formats live in
 * the server.
 */
package dev.spanloom.sampling.remote;
