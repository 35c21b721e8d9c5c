/**
 * The storage conformance suite: {@link dev.spanloom.storage.tests.StorageConformanceSuite},
 * which every backend's tests extend, and the shared fixtures in {@link
 * dev.spanloom.storage.tests.TestSpans}. A library for other modules' test scope. Non-null unless
 * said otherwise.
 */
package dev.spanloom.storage.tests;
