package io.paddock.storage.mmap.internal;

import io.paddock.storage.support.FileNames;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names under {@code <dataLogDir>/version-2/}. Segments are {@code mlog.<first zxid in lowercase hex>}, a prefix
 * that the file engine and ZooKeeper ({@code log.<zxid>}) never use, so no engine mistakes another's files for its own.
 * {@code mlog.<hex>.trunc} is a segment being rewritten by a truncation; it is never read, and recovery deletes it.
 */
final class LogFiles {
    static final String VERSION_DIR = FileNames.VERSION_DIR;
    static final String PREFIX = "mlog.";
    static final String TRUNCATING_SUFFIX = ".trunc";

    private static final Pattern SEGMENT = Pattern.compile("mlog\\.([0-9a-f]{1,16})");
    private static final Pattern TRUNCATING = Pattern.compile("mlog\\.[0-9a-f]{1,16}\\.trunc");
    /** Txn logs of the file engine and of ZooKeeper itself. */
    private static final Pattern FOREIGN_LOG = Pattern.compile("log\\.[0-9a-fA-F]{1,16}");

    private LogFiles() {}

    static String segmentName(long firstZxid) {
        return PREFIX + Long.toHexString(firstZxid);
    }

    static boolean isSegment(String fileName) {
        return SEGMENT.matcher(fileName).matches();
    }

    /** The first zxid spelled in a segment file name; see {@link #isSegment}. */
    static long firstZxidOf(String fileName) {
        Matcher m = SEGMENT.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a segment name: " + fileName);
        }
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    static boolean isTruncating(String fileName) {
        return TRUNCATING.matcher(fileName).matches();
    }

    static boolean isForeignLog(String fileName) {
        return FOREIGN_LOG.matcher(fileName).matches();
    }
}
