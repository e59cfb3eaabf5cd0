package io.paddock.server.admin;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The four-letter words (WIRE-PROTOCOL.md §9). A known command outside the whitelist gets ZooKeeper's refusal text;
 * an unknown one gets {@code null}, and the transport closes the connection without output.
 */
public final class FourLetterWords {
    /** The version string tools parse; it names the ZooKeeper release whose protocol we speak. */
    public static final String VERSION = "3.9.4-paddock-0.1.0, built on 2026-11-22 00:00 UTC";

    /** ZooKeeper's answer to a status command while it has no running server (e.g. during an election). */
    public static final String NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";
    /**
     * Commands that need a serving server; ruok and envi answer anyway and isro says "null", as in ZooKeeper. conf
     * answers too (ZooKeeper refuses it): it is the static configuration, useful while an ensemble is electing.
     */
    private static final Set<String> NEED_SERVING = Set.of("srvr", "stat", "cons", "crst", "srst", "mntr",
            "wchs", "wchc", "wchp", "dump", "dirs", "hash");

    private static final Set<String> KNOWN = Set.of("ruok", "srvr", "stat", "conf", "cons", "crst", "srst", "envi",
            "mntr", "isro", "wchs", "wchc", "wchp", "dump", "dirs", "hash");

    private final Set<String> whitelist;
    private final ServerView server;
    private volatile Map<String, String> environment;

    public FourLetterWords(Set<String> whitelist, ServerView server) {
        this.whitelist = Set.copyOf(whitelist);
        this.server = server;
        this.environment = Map.of();
    }

    /** The {@code envi} lines (java.*, os.*, user.*, host.name); gathered by distro, the only reader of properties. */
    public void environment(Map<String, String> values) {
        environment = Map.copyOf(values);
    }

    public static boolean isKnown(String cmd) {
        return KNOWN.contains(cmd);
    }

    public String answer(String cmd) {
        if (!KNOWN.contains(cmd)) {
            return null;
        }
        if (!whitelist.contains(cmd)) {
            return cmd + " is not executed because it is not in the whitelist.\n";
        }
        if (!server.serving()) {
            if (NEED_SERVING.contains(cmd)) {
                return NOT_SERVING;
            }
            if ("isro".equals(cmd)) {
                return "null";
            }
        }
        switch (cmd) {
            case "ruok":
                return "imok";
            case "isro":
                return "rw";
            case "srvr":
                return srvr(false);
            case "stat":
                return srvr(true);
            case "conf":
                return conf();
            case "cons":
                return cons();
            case "crst":
                server.resetConnectionStats();
                return "Connection stats reset.\n";
            case "srst":
                server.stats().reset();
                return "Server stats reset.\n";
            case "envi":
                return envi();
            case "mntr":
                return mntr();
            case "wchs":
                return server.watchingConnectionCount() + " connections watching " + server.watchedPathCount()
                        + " paths\nTotal watches:" + server.dataWatchCount() + "\n";
            case "wchc":
                return wchc();
            case "wchp":
                return wchp();
            case "hash": {
                StringBuilder sb = new StringBuilder();
                server.digestLog().forEach(l -> sb.append(l).append('\n'));
                return sb.toString();
            }
            case "dump":
                return "SessionTracker dump:\n" + server.dumpSessions();
            case "dirs":
                // Nothing is on disk until the storage engines land.
                return "datadir_size: 0\nlogdir_size: 0\n";
            default:
                return null;
        }
    }

    private String srvr(boolean withClients) {
        StringBuilder sb = new StringBuilder();
        sb.append("Zookeeper version: ").append(VERSION).append('\n');
        if (withClients) {
            sb.append("Clients:\n");
            for (String c : server.describeConnections()) {
                sb.append(c).append('\n');
            }
            sb.append('\n');
        }
        ServerStats st = server.stats();
        sb.append("Latency min/avg/max: ").append(st.latencyMinMs()).append('/')
                .append(String.format("%.4f", st.latencyAvgMs())).append('/').append(st.latencyMaxMs()).append('\n');
        sb.append("Received: ").append(st.packetsReceived()).append('\n');
        sb.append("Sent: ").append(st.packetsSent()).append('\n');
        sb.append("Connections: ").append(server.connectionCount()).append('\n');
        sb.append("Outstanding: ").append(server.outstandingRequests()).append('\n');
        sb.append("Zxid: 0x").append(Long.toHexString(server.lastZxid())).append('\n');
        sb.append("Mode: ").append(server.mode()).append('\n');
        sb.append("Node count: ").append(server.nodeCount()).append('\n');
        return sb.toString();
    }

    private String conf() {
        StringBuilder sb = new StringBuilder();
        server.conf().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    private String cons() {
        StringBuilder sb = new StringBuilder();
        for (String c : server.describeConnections()) {
            sb.append(c).append('\n');
        }
        return sb.append('\n').toString();
    }

    private String envi() {
        StringBuilder sb = new StringBuilder("Environment:\n");
        sb.append("zookeeper.version=").append(VERSION).append('\n');
        new TreeMap<>(environment).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    private String mntr() {
        ServerStats st = server.stats();
        StringBuilder sb = new StringBuilder();
        line(sb, "zk_version", VERSION);
        line(sb, "zk_server_state", server.mode());
        line(sb, "zk_avg_latency", String.format("%.4f", st.latencyAvgMs()));
        line(sb, "zk_max_latency", st.latencyMaxMs());
        line(sb, "zk_min_latency", st.latencyMinMs());
        line(sb, "zk_packets_received", st.packetsReceived());
        line(sb, "zk_packets_sent", st.packetsSent());
        line(sb, "zk_num_alive_connections", server.connectionCount());
        line(sb, "zk_outstanding_requests", server.outstandingRequests());
        line(sb, "zk_znode_count", server.nodeCount());
        line(sb, "zk_watch_count", server.watchCount());
        line(sb, "zk_ephemerals_count", server.ephemeralCount());
        line(sb, "zk_approximate_data_size", server.approximateDataBytes());
        line(sb, "zk_uptime", server.uptimeMs());
        line(sb, "zk_global_sessions", server.sessionCount());
        line(sb, "zk_local_sessions", 0);
        line(sb, "zk_last_zxid", "0x" + Long.toHexString(server.lastZxid()));
        line(sb, "paddock_apply_errors", server.applyErrors());
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append('\t').append(value).append('\n');
    }

    private String wchc() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, List<String>> e : server.watchesBySession().entrySet()) {
            sb.append("0x").append(Long.toHexString(e.getKey())).append('\n');
            for (String p : e.getValue()) {
                sb.append('\t').append(p).append('\n');
            }
        }
        return sb.toString();
    }

    private String wchp() {
        Map<String, List<Long>> byPath = new TreeMap<>();
        server.watchesBySession().forEach((sid, paths) -> {
            for (String p : paths) {
                byPath.computeIfAbsent(p, k -> new java.util.ArrayList<>()).add(sid);
            }
        });
        StringBuilder sb = new StringBuilder();
        byPath.forEach((p, sids) -> {
            sb.append(p).append('\n');
            for (Long sid : sids) {
                sb.append("\t0x").append(Long.toHexString(sid)).append('\n');
            }
        });
        return sb.toString();
    }
}
