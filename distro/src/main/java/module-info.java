/** The composition root: config, provider discovery, wiring, main. */
module io.paddock.distro {
    requires io.paddock.api;
    requires io.paddock.server;
    requires io.paddock.zab; // ZabReplicator: the ensemble's replicator, built here from the server.N lines
    requires org.slf4j;

    exports io.paddock.distro;

    uses io.paddock.api.transport.TransportProvider;
    uses io.paddock.api.auth.AuthProvider;
    uses io.paddock.api.storage.StorageProvider;
    uses io.paddock.api.election.ElectionProvider;
}
