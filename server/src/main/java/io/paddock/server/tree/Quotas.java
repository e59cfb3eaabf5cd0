package io.paddock.server.tree;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ZooKeeper's quotas: a subtree {@code P} has limits when {@code /zookeeper/quota/P/zookeeper_limits} exists, and its
 * usage is kept in {@code /zookeeper/quota/P/zookeeper_stats}. Both hold {@code key=value} pairs separated by commas:
 * {@code count} and {@code bytes} are soft limits (exceeding them is logged), {@code countHardLimit} and
 * {@code byteHardLimit} are hard limits (enforced when quota enforcement is on). -1 means no limit. The count includes
 * the subtree's root; bytes are the sum of data lengths.
 */
public final class Quotas {
    public static final String ROOT = "/zookeeper/quota";
    public static final String LIMITS_NODE = "zookeeper_limits";
    public static final String STATS_NODE = "zookeeper_stats";

    /** Limits of one subtree; -1 means none. */
    public record Limits(long count, long bytes, long countHard, long bytesHard) {
        static final Limits NONE = new Limits(-1, -1, -1, -1);
    }

    /** Usage of one subtree. */
    public record Usage(long count, long bytes) {
        String format() {
            return "count=" + count + ",bytes=" + bytes;
        }
    }

    private final Map<String, Limits> limitsByPath = new ConcurrentHashMap<>();

    /** Parses {@code key=value,...}; unknown keys and malformed pairs are ignored, as ZooKeeper's parser skips them. */
    public static Map<String, Long> parsePairs(byte[] data) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (data == null) {
            return out;
        }
        for (String pair : new String(data, StandardCharsets.UTF_8).split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            try {
                out.put(pair.substring(0, eq).trim(), Long.parseLong(pair.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                // not a number: ignored
            }
        }
        return out;
    }

    static Limits parseLimits(byte[] data) {
        Map<String, Long> p = parsePairs(data);
        return new Limits(p.getOrDefault("count", -1L), p.getOrDefault("bytes", -1L),
                p.getOrDefault("countHardLimit", -1L), p.getOrDefault("byteHardLimit", -1L));
    }

    static Usage parseUsage(byte[] data) {
        Map<String, Long> p = parsePairs(data);
        return new Usage(p.getOrDefault("count", 0L), p.getOrDefault("bytes", 0L));
    }

    /** The quota'd subtree a quota-node path belongs to ("/zookeeper/quota/a/b/zookeeper_limits" -> "/a/b"). */
    static String subtreeOf(String quotaNodePath) {
        String parent = PathRules.parentOf(quotaNodePath);
        return parent.length() <= ROOT.length() ? null : parent.substring(ROOT.length());
    }

    static boolean isQuotaPath(String path) {
        return path.startsWith(ROOT + "/");
    }

    void set(String subtree, Limits limits) {
        limitsByPath.put(subtree, limits);
    }

    void clear() {
        limitsByPath.clear();
    }

    void remove(String subtree) {
        limitsByPath.remove(subtree);
    }

    public Limits limits(String subtree) {
        return limitsByPath.getOrDefault(subtree, Limits.NONE);
    }

    /** The closest quota'd subtree containing {@code path}, or null. */
    public String subtreeFor(String path) {
        if (limitsByPath.isEmpty() || isQuotaPath(path)) {
            return null;
        }
        String p = path;
        while (true) {
            if (limitsByPath.containsKey(p)) {
                return p;
            }
            if (p.length() <= 1) {
                return null;
            }
            p = PathRules.parentOf(p);
        }
    }

    public static String statsPath(String subtree) {
        return ROOT + subtree + "/" + STATS_NODE;
    }
}
