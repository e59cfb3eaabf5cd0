/** Txn log files and lz4 snapshots on plain FileChannels. Exports nothing; provides a StorageProvider named "file". */
module io.paddock.storage.file {
    requires io.paddock.api;
    requires io.paddock.storage.support;
    requires org.slf4j;

    provides io.paddock.api.storage.StorageProvider with io.paddock.storage.file.FileStorageProvider;
}
