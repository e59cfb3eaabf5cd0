package io.paddock.transport.netty.internal;

import io.paddock.api.time.Ticker;

/**
 * The numbers endpoints need, from {@code TransportConfig}, plus the injected clock.
 *
 * @param maxFrameBytes     frame limit of client connections ({@code jute.maxbuffer})
 * @param peerFrameBytesMax frame limit of peer links, {@code TransportConfig.peerFrameBytesMax()}
 * @param tickMs            how often a pending timeout is re-checked when the ticker says it has not expired yet (a
 *                          test ticker that is stepped by hand)
 */
record Settings(int maxFrameBytes, int peerFrameBytesMax, int outboundBytesMax, int handshakeTimeoutMs, long tickMs,
        Ticker ticker) {}
