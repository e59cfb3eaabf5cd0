/** The ZooKeeper client wire format: jute encoding, request/response records, opcodes, error codes, events. */
module io.paddock.protocol {
    requires transitive io.paddock.api;

    exports io.paddock.protocol;
}
