/**
 * Transport SPI: the client port and framed peer links.
 *
 * <p>Implemented by transport plugins ({@code transport-nio}, {@code transport-netty}), each exposing one
 * {@link io.paddock.api.transport.TransportProvider} by {@code name()}. Called by {@code distro}, which creates the
 * transport and hands the server's {@link io.paddock.api.transport.ConnectionHandler} to the client listener, and
 * by the replication layer for peer links.
 *
 * <p>Promises of every implementation:
 * <ul>
 *   <li>Frames are {@code int length} + payload in both directions; a claimed length outside {@code 0..maxFrameBytes}
 *       closes that connection before anything of that size is allocated.</li>
 *   <li>On a connection that has delivered no frame yet, a first int made of four lowercase ASCII letters is a
 *       four-letter word: the transport asks {@link io.paddock.api.transport.ConnectionHandler#fourLetterWord} for
 *       the text, writes it without framing and closes after the flush.</li>
 *   <li>Frames of one connection are delivered in order, one at a time, never concurrently; the payload buffer is
 *       only valid during the call.</li>
 *   <li>{@link io.paddock.api.transport.Connection#send} is thread-safe, never blocks, and keeps the order of calls.
 *       A connection whose unsent output passes its bound stops being read until the output drains (back-pressure).</li>
 *   <li>Connections per remote IP are capped ({@code maxClientCnxns}); over the cap a new connection is closed at once.</li>
 * </ul>
 */
package io.paddock.api.transport;
