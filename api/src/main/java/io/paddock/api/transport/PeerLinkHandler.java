package io.paddock.api.transport;

import java.nio.ByteBuffer;

/** Receives the messages of one peer link; calls for one link never overlap. */
public interface PeerLinkHandler {
    /** One message payload, valid only during the call. */
    void messageReceived(PeerLink link, ByteBuffer payload);

    /** The link closed or failed; called once. */
    void linkClosed(PeerLink link, Throwable cause);
}
