/**
 * Client port and peer links on Netty 4.2, with TLS for clients and native epoll where available. Exports nothing;
 * provides a TransportProvider named "netty".
 */
module io.paddock.transport.netty {
    requires io.paddock.api;
    requires org.slf4j;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.handler;
    // plain Java, present on every platform; the native part (io.netty.transport.epoll.linux.x86_64) is optional
    requires io.netty.transport.classes.epoll;

    provides io.paddock.api.transport.TransportProvider with io.paddock.transport.netty.NettyTransportProvider;
}
