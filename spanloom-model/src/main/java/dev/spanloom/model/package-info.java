/**
 * Spanloom's span model: the OpenTelemetry data model as immutable values. Everything here is
 * non-null unless a method says otherwise (a root span's parent).
 */
package dev.spanloom.model;
