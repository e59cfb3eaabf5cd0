package io.paddock.distro;

import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ensemble part of a zoo.cfg: the {@code server.N} lines (from the file itself or from its
 * {@code dynamicConfigFile}), this server's {@code myid}, and the quorum timing keys. Present only when the config
 * describes a real ensemble; a config with a single participant and {@code standaloneEnabled=true} runs standalone, as
 * ZooKeeper does.
 *
 * @param myId                  the id read from {@code dataDir/myid}
 * @param members               every {@code server.N} line, by id
 * @param initLimitTicks        {@code initLimit}
 * @param syncLimitTicks        {@code syncLimit}
 * @param connectTimeoutMs      {@code cnxTimeout} (ZooKeeper's {@code zookeeper.cnxTimeout}); default 5000
 * @param listenOnAllIps        {@code quorumListenOnAllIPs}: bind the quorum and election ports on every interface
 * @param committedLogMax       {@code commitLogCount} (ZooKeeper's {@code zookeeper.commitLogCount}); default 500
 * @param electionPortBindRetry {@code electionPortBindRetry}; accepted and checked, not used (see README)
 * @param reconfigEnabled       {@code reconfigEnabled}; accepted, dynamic reconfiguration is not implemented
 */
record Ensemble(
        long myId,
        SortedMap<Long, Member> members,
        int initLimitTicks,
        int syncLimitTicks,
        int connectTimeoutMs,
        boolean listenOnAllIps,
        int committedLogMax,
        int electionPortBindRetry,
        boolean reconfigEnabled) {

    /** ZooKeeper's {@code zookeeper.cnxTimeout} default. */
    static final int CONNECT_TIMEOUT_MS_DEFAULT = 5000;
    /** ZooKeeper's {@code zookeeper.commitLogCount} default. */
    static final int COMMITTED_LOG_MAX_DEFAULT = 500;
    /** ZooKeeper's {@code zookeeper.electionPortBindRetry} default. */
    static final int ELECTION_PORT_BIND_RETRY_DEFAULT = 3;
    /** Ids go into the top byte of session ids; 255 would make them collide with ZooKeeper's reserved values. */
    static final long ID_MAX = 254;

    Ensemble {
        members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
        if (!members.containsKey(myId)) {
            throw new IllegalArgumentException("myid " + myId + " is not among the server.N lines");
        }
    }

    Member self() {
        return members.get(myId);
    }

    Set<Long> voters() {
        Set<Long> out = new TreeSet<>();
        members.values().stream().filter(m -> !m.observer()).forEach(m -> out.add(m.id()));
        return out;
    }

    Set<Long> observers() {
        Set<Long> out = new TreeSet<>();
        members.values().stream().filter(Member::observer).forEach(m -> out.add(m.id()));
        return out;
    }

    /**
     * The membership as ZooKeeper shows it in {@code /zookeeper/config}: one {@code server.N} line per member, then
     * {@code version=0} (static config: no reconfiguration has happened). {@code boundClientPort} replaces this
     * server's own client port (it may have been asked as 0); a member whose client port is unknown here is shown
     * without the {@code ;client} part, as ZooKeeper does for a static line without one.
     */
    String membershipText(String ownClientHost, int boundClientPort) {
        StringBuilder sb = new StringBuilder();
        for (Member m : members.values()) {
            String clientHost = m.clientHost();
            int clientPort = m.clientPort();
            if (m.id() == myId && boundClientPort >= 0) {
                clientHost = ownClientHost;
                clientPort = boundClientPort;
            }
            sb.append("server.").append(m.id()).append('=').append(hostText(m.host())).append(':')
                    .append(m.quorumPort()).append(':').append(m.electionPort()).append(':')
                    .append(m.observer() ? "observer" : "participant");
            if (clientPort >= 0) {
                sb.append(';').append(hostText(clientHost == null ? "0.0.0.0" : clientHost)).append(':')
                        .append(clientPort);
            }
            sb.append('\n');
        }
        return sb.append("version=0\n").toString();
    }

    private static String hostText(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /**
     * One {@code server.N} line:
     * {@code host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]}.
     *
     * @param clientHost null when the line gives a client port without an address (every interface)
     * @param clientPort -1 when the line has no {@code ;client} part
     */
    record Member(long id, String host, int quorumPort, int electionPort, boolean observer, String clientHost,
            int clientPort) {
        Member {
            Objects.requireNonNull(host, "host");
        }

        /**
         * Parses the value of {@code server.<id>}; {@code origin} names the key (and file) for messages. IPv6
         * addresses go in brackets, as in ZooKeeper: {@code [::1]:2888:3888}.
         */
        static Member parse(long id, String text, String origin) {
            String[] parts = text.split(";", -1);
            if (parts.length > 2) {
                throw bad(origin, text, "more than one ';'");
            }
            String quorum = parts[0].trim();
            if (quorum.indexOf('|') >= 0) {
                throw new ConfigException("Unsupported " + origin + " '" + text + "': several addresses per server"
                        + " (ZooKeeper's multiAddress, 'a|b') are not supported by Paddock; give one address");
            }
            String[] fields = splitHostAndPorts(quorum, origin, text);
            if (fields.length < 3) {
                throw bad(origin, text, fields.length == 2 ? "the election port is missing" : "expected at least"
                        + " host:quorumPort:electionPort");
            }
            if (fields.length > 4) {
                throw bad(origin, text, "too many ':' fields");
            }
            String host = fields[0];
            if (host.isEmpty()) {
                throw bad(origin, text, "the host is empty");
            }
            int quorumPort = port(fields[1], origin, text, "quorum port");
            int electionPort = port(fields[2], origin, text, "election port");
            if (quorumPort == electionPort) {
                throw bad(origin, text, "the quorum port and the election port are the same (" + quorumPort + ")");
            }
            boolean observer = false;
            if (fields.length == 4) {
                observer = learnerType(fields[3], origin + " in '" + text + "'");
            }
            String clientHost = null;
            int clientPort = -1;
            if (parts.length == 2) {
                String client = parts[1].trim();
                int colon = client.lastIndexOf(':');
                if (colon >= 0 && !(client.startsWith("[") && client.endsWith("]"))) {
                    clientHost = unbracket(client.substring(0, colon).trim());
                    if (clientHost.isEmpty()) {
                        throw bad(origin, text, "the client address before ':' is empty");
                    }
                    client = client.substring(colon + 1).trim();
                }
                clientPort = port(client, origin, text, "client port");
            }
            return new Member(id, host, quorumPort, electionPort, observer, clientHost, clientPort);
        }

        /** {@code participant} or {@code observer}, as in {@code peerType=} and the 4th field of a server line. */
        static boolean learnerType(String word, String origin) {
            switch (word.trim().toLowerCase(Locale.ROOT)) {
                case "observer":
                    return true;
                case "participant":
                    return false;
                default:
                    throw new ConfigException("Unrecognised peer type '" + word.trim() + "' in " + origin
                            + ": expected participant or observer");
            }
        }

        /** host, then the ':'-separated rest; a bracketed IPv6 host keeps its colons. */
        private static String[] splitHostAndPorts(String quorum, String origin, String text) {
            if (quorum.startsWith("[")) {
                int close = quorum.indexOf(']');
                if (close < 0 || close + 1 >= quorum.length() || quorum.charAt(close + 1) != ':') {
                    throw bad(origin, text, "an IPv6 address must be written [address]:quorumPort:electionPort");
                }
                String host = quorum.substring(1, close);
                String[] rest = quorum.substring(close + 2).split(":", -1);
                String[] out = new String[rest.length + 1];
                out[0] = host;
                System.arraycopy(rest, 0, out, 1, rest.length);
                return out;
            }
            String[] out = quorum.split(":", -1);
            for (int i = 0; i < out.length; i++) {
                out[i] = out[i].trim();
            }
            return out;
        }

        private static String unbracket(String host) {
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }

        private static int port(String text, String origin, String line, String what) {
            try {
                int port = Integer.parseInt(text.trim());
                if (port >= 1 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw bad(origin, line, "the " + what + " '" + text.trim() + "' is not a TCP port in 1..65535");
        }

        private static ConfigException bad(String origin, String text, String why) {
            return new ConfigException("Invalid " + origin + " '" + text + "': " + why + " (expected"
                    + " host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort])");
        }
    }
}
