/**
 * ZooKeeper Atomic Broadcast: discovery, synchronisation (DIFF / TRUNC / SNAP), broadcast, observers, request
 * forwarding and session pings. The protocol logic is a pure core ({@code io.paddock.zab.core}, not exported); the
 * exported packages hold what {@code distro} needs to configure it ({@code io.paddock.zab}) and to run it
 * ({@code io.paddock.zab.replicator}).
 */
module io.paddock.zab {
    requires io.paddock.api;
    requires org.slf4j; // the driver logs; the cores never do

    exports io.paddock.zab;
    exports io.paddock.zab.replicator; // ZabReplicator, for distro; apart from io.paddock.zab to avoid a package cycle
}
