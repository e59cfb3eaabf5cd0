package io.paddock.server;

import io.paddock.api.time.Clock;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ClientListener;
import io.paddock.server.admin.ServerStats;
import io.paddock.server.admin.ServerView;
import io.paddock.server.pipeline.ClientConnection;
import io.paddock.server.pipeline.PrepareStage;
import io.paddock.server.session.Session;
import io.paddock.server.session.SessionTracker;
import io.paddock.server.tree.DataTree;
import io.paddock.server.watch.WatchManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The running server as the four-letter words see it. */
final class StatusView implements ServerView {
    private final ZkServer server;
    private final DataTree tree;
    private final WatchManager watches;
    private final SessionTracker sessions;
    private final ServerStats stats;
    private final Set<ClientConnection> connections;
    private final PrepareStage prepare;
    private final ServerConfig config;
    private final Clock clock;
    private final Ticker ticker;
    private final long startedMs;

    StatusView(ZkServer server, DataTree tree, WatchManager watches, SessionTracker sessions, ServerStats stats,
            Set<ClientConnection> connections, PrepareStage prepare, ServerConfig config, Clock clock, Ticker ticker) {
        this.server = server;
        this.tree = tree;
        this.watches = watches;
        this.sessions = sessions;
        this.stats = stats;
        this.connections = connections;
        this.prepare = prepare;
        this.config = config;
        this.clock = clock;
        this.ticker = ticker;
        this.startedMs = ticker.millis();
    }

    @Override
    public String mode() {
        return server.role().displayName();
    }

    @Override
    public boolean serving() {
        return server.serving();
    }

    @Override
    public long lastZxid() {
        return server.lastAppliedZxid();
    }

    @Override
    public long applyErrors() {
        return server.applyErrors();
    }

    @Override
    public int nodeCount() {
        return tree.nodeCount();
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public int outstandingRequests() {
        int n = prepare.queued();
        for (ClientConnection c : connections) {
            n += c.outstanding();
        }
        return n;
    }

    @Override
    public List<String> describeConnections() {
        long now = clock.currentTimeMillis();
        List<String> out = new ArrayList<>();
        for (ClientConnection c : connections) {
            out.add(c.describe(now));
        }
        return out;
    }

    @Override
    public void resetConnectionStats() {
        for (ClientConnection c : connections) {
            c.resetStats();
        }
    }

    @Override
    public ServerStats stats() {
        return stats;
    }

    @Override
    public Map<String, String> conf() {
        Map<String, String> out = new LinkedHashMap<>(config.confDump());
        ClientListener l = server.clientListener();
        if (l != null) {
            out.put("clientPort", Integer.toString(l.localAddress().getPort()));
            out.put("clientPortAddress", l.localAddress().getAddress().getHostAddress());
        }
        ClientListener secure = server.secureClientListener();
        if (secure != null) {
            // as ZooKeeper, the port only; it takes the place distro gave it in confDump, right after clientPort
            out.put("secureClientPort", Integer.toString(secure.localAddress().getPort()));
        }
        return out;
    }

    @Override
    public int watchCount() {
        return watches.totalWatchCount();
    }

    @Override
    public int watchedPathCount() {
        return watches.watchedPathCount();
    }

    @Override
    public int dataWatchCount() {
        return watches.dataWatchCount();
    }

    @Override
    public int watchingConnectionCount() {
        int n = 0;
        for (ClientConnection c : connections) {
            if (!watches.pathsOf(c).isEmpty()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public int ephemeralCount() {
        return tree.ephemeralCount();
    }

    @Override
    public int sessionCount() {
        return sessions.count();
    }

    @Override
    public long approximateDataBytes() {
        return tree.approximateDataBytes();
    }

    @Override
    public long uptimeMs() {
        return ticker.millis() - startedMs;
    }

    @Override
    public Map<Long, List<String>> watchesBySession() {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        for (ClientConnection c : connections) {
            List<String> paths = watches.pathsOf(c);
            if (!paths.isEmpty()) {
                out.put(c.sessionId(), paths);
            }
        }
        return out;
    }

    @Override
    public List<String> digestLog() {
        return server.digestLog().lines();
    }

    @Override
    public String dumpSessions() {
        StringBuilder sb = new StringBuilder();
        sb.append("Session count: ").append(sessions.count()).append('\n');
        for (Session s : sessions.all()) {
            sb.append("0x").append(Long.toHexString(s.id())).append("\t").append(s.timeoutMs()).append("ms\n");
        }
        sb.append("ephemeral nodes dump:\nSessions with Ephemerals (").append(tree.ephemeralCount())
                .append("):\n");
        for (Session s : sessions.all()) {
            Set<String> eph = tree.ephemerals(s.id());
            if (!eph.isEmpty()) {
                sb.append("0x").append(Long.toHexString(s.id())).append(":\n");
                for (String p : new TreeSet<>(eph)) {
                    sb.append('\t').append(p).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
