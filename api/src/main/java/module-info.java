/**
 * The Paddock kernel: value types shared by every module and one SPI per package. Depends on nothing but
 * {@code java.base}; holds no implementations.
 */
module io.paddock.api {
    exports io.paddock.api;
    exports io.paddock.api.auth;
    exports io.paddock.api.election;
    exports io.paddock.api.replication;
    exports io.paddock.api.storage;
    exports io.paddock.api.time;
    exports io.paddock.api.transport;
}
