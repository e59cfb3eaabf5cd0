/** The replicated state machine: data tree, sessions, watches, ACL checks, the request pipeline, 4-letter words. */
module io.paddock.server {
    requires transitive io.paddock.api;
    requires io.paddock.protocol;
    requires org.slf4j;

    exports io.paddock.server;
    exports io.paddock.server.inspect; // read-only views of logged txns and snapshots, for paddock-tools
}
