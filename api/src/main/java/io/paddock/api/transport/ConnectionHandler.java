package io.paddock.api.transport;

import java.nio.ByteBuffer;

/**
 * Implemented by the server, called by a transport's I/O threads. Calls for one connection never overlap.
 */
public interface ConnectionHandler {

    /** A connection was accepted; {@code attachment} returned here is handed back with every later event. */
    Object connectionOpened(Connection connection);

    /** One complete frame payload (without the length prefix); valid only during the call. */
    void frameReceived(Connection connection, Object attachment, ByteBuffer payload);

    /** The connection is closed, by either side; called once. */
    void connectionClosed(Connection connection, Object attachment);

    /**
     * A four-letter word arrived as the first four bytes of a connection. Returns the text to write back before
     * the connection is closed; {@code null} means "not a command" and the connection is closed without output.
     */
    String fourLetterWord(Connection connection, String command);
}
