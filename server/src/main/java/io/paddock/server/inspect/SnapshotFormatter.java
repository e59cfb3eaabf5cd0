package io.paddock.server.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * A snapshot stream as lines, ZooKeeper's SnapshotFormatter for Paddock: one line per session, one per znode in
 * stream order (parent first), then a summary line.
 */
public final class SnapshotFormatter {
    private SnapshotFormatter() {}

    /**
     * Prints the whole stream to {@code out} line by line and returns the summary (also printed, last).
     *
     * @param withData also print a quoted preview of each znode's data
     * @throws IOException as {@link SnapshotDecoder#read}; the lines before the failure have been printed
     */
    public static SnapshotSummary print(InputStream stream, int recordBytesMax, boolean withData, Consumer<String> out)
            throws IOException {
        SnapshotSummary summary = SnapshotDecoder.read(stream, recordBytesMax, new SnapshotDecoder.Visitor() {
            @Override
            public void session(SnapshotSession session) {
                out.accept(session.toLine());
            }

            @Override
            public void node(SnapshotNode node) {
                out.accept(node.toLine(withData));
            }
        });
        out.accept(summary.toLine());
        return summary;
    }
}
