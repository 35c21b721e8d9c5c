/**
 * Spanloom's own service-level objectives: SLIs read from the span metrics of a spanmetrics
 * connector, error budgets, the Google SRE workbook's multi-window multi-burn-rate alerts, an
 * Alertmanager-compatible webhook, {@code /api/slo} and the equivalent Prometheus rules.
 */
package dev.spanloom.server.slo;
