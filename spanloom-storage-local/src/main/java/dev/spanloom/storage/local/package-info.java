/**
 * The embedded storage engine: a write-ahead log, an in-memory head block, immutable columnar
 * blocks on disk with bloom filters and statistics, and a compactor that merges blocks and
 * applies retention. {@link dev.spanloom.storage.local.LocalStorage} and {@link
 * dev.spanloom.storage.local.LocalStorageConfig} are the public face; every other type is
 * package-private. The on-disk format is described in {@code docs/storage-format.md}. Non-null
 * unless said otherwise.
 */
package dev.spanloom.storage.local;
