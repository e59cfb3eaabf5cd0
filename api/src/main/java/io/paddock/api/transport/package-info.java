/**
 * Transport SPI: the client port, the secure (TLS) client port and framed peer links.
 *
 * <p>Implemented by transport plugins ({@code transport-nio}, {@code transport-netty}), each exposing one
 * {@link io.paddock.api.transport.TransportProvider} by {@code name()}. Called by {@code distro}, which creates the
 * transport with a {@link io.paddock.api.transport.ConfigFiles} of its own and hands the server's
 * {@link io.paddock.api.transport.ConnectionHandler} to the client listeners, and by the replication layer for peer
 * links.
 *
 * <p>Promises of every implementation:
 * <ul>
 *   <li>Frames are {@code int length} + payload in both directions. A claimed length outside
 *       {@code 0..maxFrameBytes} on a client connection, or outside {@code 0..peerFrameBytesMax()} on a peer link
 *       (see {@link io.paddock.api.transport.TransportConfig#peerFrameBytesMax()} for why peers get more room),
 *       closes that connection before anything of that size is allocated. {@code PeerLink.send} of a payload above
 *       {@code peerFrameBytesMax()} throws {@link IllegalArgumentException}.</li>
 *   <li>On a connection that has delivered no frame yet, a first int made of four lowercase ASCII letters is a
 *       four-letter word: the transport asks {@link io.paddock.api.transport.ConnectionHandler#fourLetterWord} for
 *       the text, writes it without framing and closes after the flush.</li>
 *   <li>Frames of one connection are delivered in order, one at a time, never concurrently; the payload buffer is
 *       only valid during the call.</li>
 *   <li>{@link io.paddock.api.transport.Connection#send} is thread-safe, never blocks, and keeps the order of calls.
 *       A connection whose unsent output passes its bound stops being read until the output drains (back-pressure).</li>
 *   <li>Connections per remote IP are capped ({@code maxClientCnxns}) per listener; over the cap a new connection is
 *       closed at once.</li>
 *   <li>A listener that cannot bind its address fails with a {@link java.net.SocketException} (usually a
 *       {@link java.net.BindException}), so the caller can tell a busy port from a configuration problem.</li>
 *   <li>A transport reads files (key stores, password files) only through the
 *       {@link io.paddock.api.transport.ConfigFiles} it was created with, never from the file system itself; created
 *       through the two-argument {@code create}, it has none, and a setting that names a file fails as if the file
 *       were missing.</li>
 *   <li>Settings are checked in {@code create}: an unusable {@link io.paddock.api.transport.TransportConfig#extra()}
 *       key (a bad value, an unreadable key store, a wrong password) throws {@link IllegalArgumentException} naming
 *       the key, and the file where there is one, before any thread is started or port bound.</li>
 *   <li>{@link io.paddock.api.transport.Transport#listenForSecureClients} serves the same protocol inside TLS, set
 *       up from ZooKeeper's {@code ssl.*} keys in {@code extra} ({@code ssl.keyStore.location}, ...; each plugin's
 *       README lists those it reads). The TLS handshake counts within {@code handshakeTimeoutMs}. A transport
 *       without TLS, or with no key store configured, throws an {@link java.io.IOException} that says so (and names
 *       the transport) without binding anything.</li>
 * </ul>
 */
package io.paddock.api.transport;
