/**
 * Storage SPI: a transaction log and snapshots as opaque bytes keyed by zxid, plus a few durable named values.
 *
 * <p>Implemented by storage plugins ({@code storage-file}, {@code storage-mmap}), each exposing one
 * {@link io.paddock.api.storage.StorageProvider}. Called by the replication layer (the single-node replicator in
 * standalone mode, ZAB in an ensemble), which logs transactions before they are acknowledged, and by start-up
 * recovery, which loads the newest snapshot and replays the log after it. Storage never interprets the bytes.
 *
 * <p>Promises:
 * <ul>
 *   <li>{@link io.paddock.api.storage.TxnLog#append} is buffered; {@link io.paddock.api.storage.TxnLog#sync} makes
 *       every record appended before it durable. A crash loses at most records that were not synced.</li>
 *   <li>A torn or corrupt tail is found by checksum and cut at the last valid record when the log is opened; damage
 *       anywhere else fails {@link io.paddock.api.storage.StorageProvider#open} with a
 *       {@link io.paddock.api.storage.StorageCorruptException}. Corrupt bytes are never handed back.</li>
 *   <li>zxids in the log strictly increase; appending one that does not is an {@link IllegalArgumentException}.</li>
 *   <li>Snapshots become visible atomically, only once completely written and synced.</li>
 *   <li>{@link io.paddock.api.storage.DurableValues#put} replaces a value atomically: after a crash either the old or
 *       the new value is read, never neither.</li>
 * </ul>
 */
package io.paddock.api.storage;
