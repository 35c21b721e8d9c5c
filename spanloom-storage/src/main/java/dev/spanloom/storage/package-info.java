/**
 * The storage SPI: {@link dev.spanloom.storage.SpanWriter}, {@link
 * dev.spanloom.storage.TraceReader} and the {@link dev.spanloom.storage.StorageComponent} that
 * owns them, plus the size-bounded {@link dev.spanloom.storage.InMemoryStorage}. Non-null unless
 * said otherwise.
 */
package dev.spanloom.storage;
