package io.paddock.api.transport;

/** Decides what handles a newly accepted peer link. */
@FunctionalInterface
public interface PeerLinkAcceptor {
    /** Returns the handler for the link; returning {@code null} closes it. */
    PeerLinkHandler accepted(PeerLink link);
}
