package io.paddock.server.inspect;

import io.paddock.api.Acl;
import io.paddock.protocol.JuteInput;
import io.paddock.server.tree.PathRules;
import io.paddock.server.txn.TxnBounds;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the server's snapshot format without building a data tree: the session table, then every znode
 * parent-first, each as a length-prefixed jute record (an empty path marks a node deleted during the fuzzy walk).
 * Both formats: 1 ({@code "PDKS"}) and 2 ({@code "PDK2"}, which adds each session's ephemeral paths and, last, the
 * zxid the walk ended at); the layout is in the server's {@code TreeSnapshot}.
 *
 * <p>This is the read side of the server's {@code TreeSnapshot} written a second time, for tools; the server's own
 * restore is coupled to its data tree. A server test writes snapshots with the server and decodes them here, so a
 * format change that is not made in both places fails the build. Stricter than the restore where a tool should be:
 * a record with bytes left over, or anything after the last record, is an error.
 */
public final class SnapshotDecoder {
    /** "PDKS", the first four bytes of a format 1 snapshot stream. */
    static final int MAGIC_V1 = 0x50444b53;
    /** "PDK2", the first four bytes of a format 2 snapshot stream. */
    static final int MAGIC_V2 = 0x50444b32;
    private static final int PASSWORD_BYTES = 16;
    private static final int EXAMPLES_MAX = 5;

    /** Receives the entries in stream order. */
    public interface Visitor {
        void session(SnapshotSession session);

        void node(SnapshotNode node);
    }

    private SnapshotDecoder() {}

    /**
     * The largest node record the server accepts when it restores, for a {@code jute.maxbuffer} of
     * {@code juteMaxBufferBytes} and the txn bound derived from it ({@link TxnBounds#txnBytesMaxForJuteMaxBuffer}).
     */
    public static int recordBytesMax(int juteMaxBufferBytes) {
        return recordBytesMax(juteMaxBufferBytes, TxnBounds.txnBytesMaxForJuteMaxBuffer(juteMaxBufferBytes));
    }

    /** The largest node record the server accepts when it restores: see {@link TxnBounds#snapshotRecordBytesMax}. */
    public static int recordBytesMax(int juteMaxBufferBytes, int txnBytesMax) {
        return TxnBounds.snapshotRecordBytesMax(juteMaxBufferBytes, txnBytesMax);
    }

    /**
     * Reads a whole snapshot stream, to its end, and hands every entry to {@code visitor}. Reading to the end matters:
     * storage engines check a snapshot's checksum as its last bytes are read.
     *
     * @param recordBytesMax a node record longer than this is an error (see {@link #recordBytesMax(int)})
     * @throws IOException if the stream fails (a storage checksum mismatch included), ends early, or does not hold
     *                     a snapshot in this format
     */
    public static SnapshotSummary read(InputStream stream, int recordBytesMax, Visitor visitor) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        String where = "the header";
        try {
            int magic = in.readInt();
            if (magic != MAGIC_V1 && magic != MAGIC_V2) {
                throw new IOException("not a Paddock tree snapshot (magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x" + Integer.toHexString(MAGIC_V2) + " or 0x" + Integer.toHexString(MAGIC_V1)
                        + ")");
            }
            int format = magic == MAGIC_V2 ? 2 : 1;
            int sessionCount = in.readInt();
            if (sessionCount < 0) {
                throw new IOException("negative session count " + sessionCount);
            }
            byte[] password = new byte[PASSWORD_BYTES];
            for (int i = 0; i < sessionCount; i++) {
                where = "session " + (i + 1) + " of " + sessionCount;
                long id = in.readLong();
                int timeoutMs = in.readInt();
                in.readFully(password);
                List<String> ephemerals = format == 2 ? readEphemerals(in, recordBytesMax) : List.of();
                visitor.session(new SnapshotSession(id, timeoutMs, ephemerals));
            }
            where = "the node count";
            int nodeCount = in.readInt();
            if (nodeCount < 0) {
                throw new IOException("negative node count " + nodeCount);
            }
            Set<String> seen = new HashSet<>();
            List<String> orphans = new ArrayList<>();
            int orphanCount = 0;
            int nodes = 0;
            int skipped = 0;
            long highest = 0;
            for (int i = 0; i < nodeCount; i++) {
                where = "node record " + (i + 1) + " of " + nodeCount;
                SnapshotNode node = readNode(in, recordBytesMax);
                if (node == null) {
                    skipped++;
                    continue;
                }
                nodes++;
                highest = Math.max(highest, Math.max(node.czxid(), Math.max(node.mzxid(), node.pzxid())));
                if (!node.path().equals("/") && !seen.contains(PathRules.parentOf(node.path()))) {
                    if (orphanCount++ < EXAMPLES_MAX) {
                        orphans.add(node.path());
                    }
                }
                seen.add(node.path());
                visitor.node(node);
            }
            long endZxid = 0;
            if (format == 2) {
                where = "the end zxid";
                endZxid = in.readLong();
            }
            where = "the end of the snapshot";
            long trailing = 0;
            while (in.read() >= 0) {
                trailing++;
            }
            if (trailing > 0) {
                throw new IOException(trailing + " bytes after the last record");
            }
            return new SnapshotSummary(sessionCount, nodes, skipped, highest, orphanCount, orphans, format, endZxid);
        } catch (EOFException e) {
            throw new IOException("snapshot ends early, in " + where, e);
        } catch (IOException e) {
            throw new IOException("snapshot unreadable at " + where + ": " + e.getMessage(), e);
        }
    }

    private static List<String> readEphemerals(DataInputStream in, int recordBytesMax) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("negative ephemeral count " + count);
        }
        // Grown as read, not sized by the count: a damaged count must not allocate.
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int len = in.readInt();
            if (len <= 0 || len > recordBytesMax) {
                throw new IOException("ephemeral path of " + len + " bytes (at most " + recordBytesMax + ")");
            }
            byte[] b = new byte[len];
            in.readFully(b);
            String path = new String(b, StandardCharsets.UTF_8);
            String invalid = PathRules.invalidReason(path);
            if (invalid != null) {
                throw new IOException("invalid ephemeral path '" + path + "': " + invalid);
            }
            paths.add(path);
        }
        return paths;
    }

    private static SnapshotNode readNode(DataInputStream in, int recordBytesMax) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > recordBytesMax) {
            throw new IOException("record of " + len + " bytes (at most " + recordBytesMax + ")");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        JuteInput rec = JuteInput.of(b);
        try {
            String path = rec.readString();
            if (path == null) {
                return null;
            }
            String invalid = PathRules.invalidReason(path);
            if (invalid != null) {
                throw new IOException("invalid path '" + path + "': " + invalid);
            }
            byte[] data = rec.readBuffer();
            List<Acl> acl = rec.readAclList();
            SnapshotNode node = new SnapshotNode(path, data, acl, rec.readLong(), rec.readLong(), rec.readLong(),
                    rec.readLong(), rec.readLong(), rec.readInt(), rec.readInt(), rec.readInt(), rec.readLong());
            if (rec.hasRemaining()) {
                throw new IOException("record of " + path + " has " + rec.remaining() + " bytes after its end");
            }
            return node;
        } catch (RuntimeException e) {
            // MalformedRecordException: a length inside the record that does not fit
            throw new IOException("malformed record: " + e.getMessage(), e);
        }
    }
}
