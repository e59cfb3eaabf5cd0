package io.paddock.server.admin;

import java.util.List;
import java.util.Map;

/** What the four-letter words may read about the running server. */
public interface ServerView {
    String mode();

    /** False while the server has no role that serves clients (looking for a leader, storage failed, stopped). */
    boolean serving();

    long lastZxid();

    /** Committed txns the tree refused to apply (prepare and apply disagreed: a bug); should stay 0. */
    long applyErrors();

    int nodeCount();

    int connectionCount();

    int outstandingRequests();

    List<String> describeConnections();

    void resetConnectionStats();

    ServerStats stats();

    Map<String, String> conf();

    int watchCount();

    int watchedPathCount();

    int dataWatchCount();

    int watchingConnectionCount();

    int ephemeralCount();

    int sessionCount();

    long approximateDataBytes();

    long uptimeMs();

    /** sessionId -> paths it watches, for wchc. */
    Map<Long, List<String>> watchesBySession();

    /** The digest log, for hash: lines {@code <zxid hex>: <digest>}. */
    List<String> digestLog();

    /** session -> its ephemeral paths and timeout, for dump. */
    String dumpSessions();
}
