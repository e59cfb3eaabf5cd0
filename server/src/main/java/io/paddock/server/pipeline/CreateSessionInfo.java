package io.paddock.server.pipeline;

/** The record of a createSession request, built by the handshake. */
public record CreateSessionInfo(int timeoutMs, byte[] password, boolean readOnlyByte) {}
