/**
 * ZooKeeper Atomic Broadcast: discovery, synchronisation (DIFF / TRUNC / SNAP), broadcast, observers, request
 * forwarding and session pings. The protocol logic is a pure core ({@code io.paddock.zab.core}, not exported); the
 * exported package holds only what {@code distro} needs to configure it.
 */
module io.paddock.zab {
    requires io.paddock.api;
    requires org.slf4j; // for the driver (next round); the cores never log

    exports io.paddock.zab;
}
