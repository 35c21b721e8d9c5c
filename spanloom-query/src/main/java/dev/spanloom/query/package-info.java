/**
 * TraceQL, Grafana Tempo's trace query language: {@link dev.spanloom.query.TraceQlParser} (a
 * hand-written lexer and recursive-descent parser with positioned errors), the syntax tree, {@link
 * dev.spanloom.query.TraceQlEvaluator} over whole {@link dev.spanloom.model.Trace}s, and {@link
 * dev.spanloom.query.TraceQlSearch}, which plans a query into a {@link
 * dev.spanloom.storage.TraceScan} and runs it over any {@link dev.spanloom.storage.TraceReader}.
 * Non-null unless said otherwise.
 */
package dev.spanloom.query;
