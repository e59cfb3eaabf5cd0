package io.paddock.api.transport;

import java.util.Map;
import java.util.Objects;

/**
 * Settings shared by every transport.
 *
 * @param ioThreads          selector/event-loop threads; 0 lets the transport pick (usually the core count)
 * @param maxFrameBytes      largest accepted frame payload ({@code jute.maxbuffer}, default 1,048,575)
 * @param outboundBytesMax   unsent output one connection may hold before its reads are paused
 * @param handshakeTimeoutMs a client connection that has not delivered its first frame within this is closed
 * @param extra              plugin-specific keys from the config file (for example TLS settings), unparsed
 */
public record TransportConfig(
        int ioThreads,
        int maxFrameBytes,
        int outboundBytesMax,
        int handshakeTimeoutMs,
        Map<String, String> extra) {

    public static final int JUTE_MAXBUFFER_DEFAULT = 0xfffff;

    public TransportConfig {
        if (ioThreads < 0 || maxFrameBytes <= 0 || outboundBytesMax <= 0 || handshakeTimeoutMs <= 0) {
            throw new IllegalArgumentException("invalid transport config");
        }
        extra = Map.copyOf(Objects.requireNonNull(extra, "extra"));
    }
}
