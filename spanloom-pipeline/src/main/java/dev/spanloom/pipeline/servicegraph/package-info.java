/**
 * The service graph: which service calls which, derived from the spans of one trace. One
 * algorithm ({@link dev.spanloom.pipeline.servicegraph.ServiceGraphEdges}) serves the
 * servicegraph connector's metrics and the dependency APIs, so every view draws the same graph.
 */
package dev.spanloom.pipeline.servicegraph;
