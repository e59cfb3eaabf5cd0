package io.paddock.server.inspect;

import io.paddock.api.Acl;
import io.paddock.api.Perms;
import io.paddock.server.tree.EphemeralOwner;
import java.time.Instant;
import java.util.List;

/** The small renderings shared by the txn and snapshot lines, so both print a value the same way. */
final class Formats {
    /** Data longer than this is cut in previews: a line stays a line. */
    private static final int PREVIEW_BYTES_MAX = 64;

    private Formats() {}

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    /** Epoch milliseconds as an ISO-8601 instant in UTC, e.g. {@code 2026-05-01T10:00:00.123Z}. */
    static String time(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    /** {@code world:anyone:cdrwa}, entries separated by commas; ZooKeeper's permission letters in its order. */
    static String acl(List<Acl> acl) {
        if (acl == null) {
            return "null";
        }
        if (acl.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Acl a : acl) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(a.id().scheme()).append(':').append(a.id().id()).append(':').append(perms(a.perms()));
        }
        return sb.toString();
    }

    static String perms(int perms) {
        StringBuilder sb = new StringBuilder();
        if ((perms & Perms.CREATE) != 0) {
            sb.append('c');
        }
        if ((perms & Perms.DELETE) != 0) {
            sb.append('d');
        }
        if ((perms & Perms.READ) != 0) {
            sb.append('r');
        }
        if ((perms & Perms.WRITE) != 0) {
            sb.append('w');
        }
        if ((perms & Perms.ADMIN) != 0) {
            sb.append('a');
        }
        int unknown = perms & ~Perms.ALL;
        if (unknown != 0) {
            sb.append("+0x").append(Integer.toHexString(unknown));
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    /** {@code 0} for persistent, the session id for an ephemeral, {@code container} or {@code ttl:<ms>ms}. */
    static String owner(long ephemeralOwner) {
        if (ephemeralOwner == EphemeralOwner.PERSISTENT) {
            return "0";
        }
        if (EphemeralOwner.isContainer(ephemeralOwner)) {
            return "container";
        }
        if (EphemeralOwner.isTtl(ephemeralOwner)) {
            return "ttl:" + EphemeralOwner.ttlMs(ephemeralOwner) + "ms";
        }
        return hex(ephemeralOwner);
    }

    /** {@code data=3 bytes}, or with {@code withData} also a quoted preview: printable ASCII kept, the rest escaped. */
    static String data(byte[] data, boolean withData) {
        if (data == null) {
            return "data=null";
        }
        StringBuilder sb = new StringBuilder("data=").append(data.length).append(data.length == 1 ? " byte" : " bytes");
        if (withData) {
            sb.append(" \"");
            int n = Math.min(data.length, PREVIEW_BYTES_MAX);
            for (int i = 0; i < n; i++) {
                int b = data[i] & 0xff;
                if (b == '"' || b == '\\') {
                    sb.append('\\').append((char) b);
                } else if (b >= 0x20 && b < 0x7f) {
                    sb.append((char) b);
                } else {
                    sb.append(String.format("\\x%02x", b));
                }
            }
            sb.append(data.length > n ? "\"..." : "\"");
        }
        return sb.toString();
    }
}
