/**
 * Shared pieces of the storage engines ({@code storage-file}, {@code storage-mmap}).
 *
 * <ul>
 *   <li>{@link io.paddock.storage.support.FileIo} / {@link io.paddock.storage.support.FileHandle}: the only way the
 *       engines touch files. Production passes {@link io.paddock.storage.support.FileIo#system()}; tests pass the
 *       fault-injecting implementation from this module's test-jar.</li>
 *   <li>{@link io.paddock.storage.support.FolderStorage}: the {@code Storage} both engines return, around their own
 *       log: the folders locked by {@link io.paddock.storage.support.DirectoryLock} while it is open, snapshots and
 *       durable values, and the order of opening and closing.</li>
 *   <li>{@link io.paddock.storage.support.FileSnapshotStore}: {@code snapshot.<zxid hex>} files, lz4-compressed and
 *       checksummed per chunk, published by temp file, fsync, rename and directory fsync.</li>
 *   <li>{@link io.paddock.storage.support.FileDurableValues}: one small checksummed file per name, replaced
 *       atomically.</li>
 *   <li>{@link io.paddock.storage.support.FileNames}: {@code log.<hex>} / {@code snapshot.<hex>} names and the log
 *       purge rule; {@link io.paddock.storage.support.Checksums}: CRC32C.</li>
 * </ul>
 *
 * <p>Formats are described byte by byte in {@code storage-support/README.md}.
 */
package io.paddock.storage.support;
