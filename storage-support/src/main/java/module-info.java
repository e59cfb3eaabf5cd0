/**
 * What the storage engines share: snapshot files, durable values, file naming and purge rules, checksums, and the
 * {@code FileIo} layer every durable byte goes through. A library, not a plugin: it exports its package and provides
 * nothing.
 */
module io.paddock.storage.support {
    // its public classes implement io.paddock.api.storage interfaces, so users of this module read api too
    requires transitive io.paddock.api;
    // lz4-java has no module-info; its jar names itself with Automatic-Module-Name: org.lz4.java
    requires org.lz4.java;

    exports io.paddock.storage.support;
}
