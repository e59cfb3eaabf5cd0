/** Client port and peer links on plain java.nio selectors. Exports nothing; provides a TransportProvider named "nio". */
module io.paddock.transport.nio {
    requires io.paddock.api;
    requires org.slf4j;

    provides io.paddock.api.transport.TransportProvider with io.paddock.transport.nio.NioTransportProvider;
}
