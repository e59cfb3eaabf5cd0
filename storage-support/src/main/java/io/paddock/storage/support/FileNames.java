package io.paddock.storage.support;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * File names as ZooKeeper spells them ({@code log.<zxid hex>}, {@code snapshot.<zxid hex>}, lowercase, no padding,
 * inside a {@code version-2} folder) and the log purge rule. Pure: no I/O.
 */
public final class FileNames {
    /** The folder under {@code dataDir} and {@code dataLogDir} that holds the files. */
    public static final String VERSION_DIR = "version-2";

    public static final String LOG_PREFIX = "log.";
    public static final String SNAPSHOT_PREFIX = "snapshot.";
    /** Suffix of files being written; a leftover one is an interrupted write and is deleted at open. */
    public static final String TEMP_SUFFIX = ".tmp";

    private FileNames() {}

    /** {@code log.<hex>} of the first zxid in the file. */
    public static String log(long zxid) {
        return LOG_PREFIX + Long.toHexString(zxid);
    }

    /** {@code snapshot.<hex>} of the zxid the snapshot is consistent from. */
    public static String snapshot(long zxid) {
        return SNAPSHOT_PREFIX + Long.toHexString(zxid);
    }

    /** The zxid of a {@code log.<hex>} name; empty for any other name (temp files included). */
    public static OptionalLong parseLog(String name) {
        return parse(name, LOG_PREFIX);
    }

    /** The zxid of a {@code snapshot.<hex>} name; empty for any other name (temp files included). */
    public static OptionalLong parseSnapshot(String name) {
        return parse(name, SNAPSHOT_PREFIX);
    }

    private static OptionalLong parse(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return OptionalLong.empty();
        }
        String hex = name.substring(prefix.length());
        if (hex.isEmpty() || hex.length() > 16) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F')) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Long.parseUnsignedLong(hex, 16));
    }

    /**
     * The log files purge may delete so that everything after {@code zxid} stays readable.
     *
     * <p>{@code logStarts} are the zxids in the names of the log files, ascending; a file holds records from its own
     * name up to (not including) the next file's name. The file with the greatest name at or below {@code zxid}
     * either holds the first record after {@code zxid} or is the one right before it, so it and every later file are
     * kept; the files before it hold only records at or below {@code zxid}. The newest file is never returned.
     *
     * @return the names (zxids) to delete, oldest first
     */
    public static List<Long> logsToPurge(List<Long> logStarts, long zxid) {
        int keepFrom = -1;
        for (int i = 0; i < logStarts.size(); i++) {
            if (i > 0 && logStarts.get(i - 1) >= logStarts.get(i)) {
                throw new IllegalArgumentException("log starts not ascending: " + logStarts);
            }
            if (logStarts.get(i) <= zxid) {
                keepFrom = i;
            }
        }
        List<Long> purge = new ArrayList<>();
        for (int i = 0; i < keepFrom; i++) {
            purge.add(logStarts.get(i));
        }
        return purge;
    }
}
