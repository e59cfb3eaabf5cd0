package io.paddock.server.txn;

/**
 * Who sent a txn and when. {@code time} is the leader's wall clock at prepare: ctime/mtime come from it, never from
 * the applying peer's clock.
 */
public record TxnHeader(long sessionId, int cxid, long time) {}
