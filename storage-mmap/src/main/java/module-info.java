/**
 * The txn log over memory-mapped segment files; snapshots and durable values from storage-support. Exports nothing;
 * provides a StorageProvider named "mmap".
 */
module io.paddock.storage.mmap {
    requires io.paddock.api;
    // a library shared by the storage engines (snapshot files, durable values, the FileIo layer), not a plugin
    requires io.paddock.storage.support;
    requires org.slf4j;

    provides io.paddock.api.storage.StorageProvider with io.paddock.storage.mmap.MmapStorageProvider;
}
