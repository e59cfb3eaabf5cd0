package io.paddock.zab.internal;

import io.paddock.api.replication.ForwardedRequest;
import io.paddock.zab.core.ZabMessage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The quorum-link wire format: one {@link ZabMessage} per transport frame, big-endian, a type byte then the fields in
 * record order. Byte arrays are {@code int length + bytes}, long arrays {@code int count + longs}. Paddock's own
 * format, not ZooKeeper's. {@link #decode} never throws: anything malformed (unknown type, short, trailing bytes, a
 * length out of bounds) is {@code null}, and the driver drops the link.
 *
 * <pre>
 * HELLO 13 bytes: type=0 | int magic 0x505A4142 ("PZAB") | long sid      (first frame a learner sends on a link)
 * </pre>
 *
 * <p>A SNAP travels as a stream of driver frames rather than one {@link ZabMessage.Snap} frame (which would have to fit
 * the transport's {@code peerFrameBytesMax()}): {@code SNAP_BEGIN(zxid)}, any number of {@code SNAP_CHUNK(bytes)} of at
 * most {@link #SNAP_CHUNK_BYTES}, then {@code SNAP_END(totalBytes, crc32c)}. The leader sends them from a snapshot on
 * its disk; the learner writes them into its snapshot store and commits only after the end frame checks out. The core
 * sees one {@code Snap(zxid, empty)} at the begin frame. Decoded by {@link #decodeSnapFrame}, never by {@link #decode}.
 * <pre>
 * SNAP_BEGIN 9 bytes:  type=18 | long zxid
 * SNAP_CHUNK 5+n:      type=19 | int n | n bytes          (1 &lt;= n &lt;= SNAP_CHUNK_BYTES)
 * SNAP_END   13 bytes: type=20 | long totalBytes | int crc32c of all chunk bytes
 * </pre>
 */
public final class ZabCodec {
    static final int MAGIC = 0x505A4142;
    static final byte HELLO = 0;
    private static final byte LEARNER_INFO = 1, LEADER_INFO = 2, ACK_EPOCH = 3, DIFF = 4, TRUNC = 5, SNAP = 6,
            PROPOSAL = 7, NEW_LEADER = 8, ACK_NEW_LEADER = 9, UP_TO_DATE = 10, ACK = 11, COMMIT = 12, INFORM = 13,
            PING = 14, REQUEST = 15, SYNC = 16, SYNC_REPLY = 17;
    static final byte SNAP_BEGIN = 18, SNAP_CHUNK = 19, SNAP_END = 20;
    /**
     * Largest chunk of a streamed snapshot. A chunk frame is this plus 5 bytes, so the transport's
     * {@code maxFrameBytes} (jute.maxbuffer) must be at least {@code SNAP_CHUNK_BYTES + 5}; ZooKeeper's default is
     * about 1 MB.
     */
    public static final int SNAP_CHUNK_BYTES = 64 * 1024;

    private ZabCodec() {}

    public static ByteBuffer hello(long sid) {
        return ByteBuffer.allocate(13).put(HELLO).putInt(MAGIC).putLong(sid).flip();
    }

    /** The sid of a well-formed hello, or -1. */
    public static long readHello(ByteBuffer b) {
        if (b.remaining() != 13 || b.get(b.position()) != HELLO || b.getInt(b.position() + 1) != MAGIC) {
            return -1;
        }
        long sid = b.getLong(b.position() + 5);
        return sid < 0 ? -1 : sid;
    }

    public static ByteBuffer encode(ZabMessage m) {
        if (m instanceof ZabMessage.LearnerInfo x) {
            return b(25).put(LEARNER_INFO).putLong(x.sid()).putLong(x.acceptedEpoch()).putLong(x.lastZxid()).flip();
        } else if (m instanceof ZabMessage.LeaderInfo x) {
            return b(9).put(LEADER_INFO).putLong(x.newEpoch()).flip();
        } else if (m instanceof ZabMessage.AckEpoch x) {
            return b(18).put(ACK_EPOCH).putLong(x.currentEpoch()).putLong(x.lastZxid())
                    .put((byte) (x.alreadyAccepted() ? 1 : 0)).flip();
        } else if (m instanceof ZabMessage.Diff x) {
            return b(9).put(DIFF).putLong(x.fromZxid()).flip();
        } else if (m instanceof ZabMessage.Trunc x) {
            return b(9).put(TRUNC).putLong(x.toZxid()).flip();
        } else if (m instanceof ZabMessage.Snap x) {
            return b(13 + x.snapshot().length).put(SNAP).putLong(x.zxid()).putInt(x.snapshot().length)
                    .put(x.snapshot()).flip();
        } else if (m instanceof ZabMessage.Proposal x) {
            return b(21 + x.txn().length).put(PROPOSAL).putLong(x.zxid()).putLong(x.prevZxid())
                    .putInt(x.txn().length).put(x.txn()).flip();
        } else if (m instanceof ZabMessage.NewLeader x) {
            return b(17).put(NEW_LEADER).putLong(x.epoch()).putLong(x.lastZxid()).flip();
        } else if (m instanceof ZabMessage.AckNewLeader x) {
            return b(17).put(ACK_NEW_LEADER).putLong(x.epoch()).putLong(x.lastZxid()).flip();
        } else if (m instanceof ZabMessage.UpToDate x) {
            return b(9).put(UP_TO_DATE).putLong(x.committedZxid()).flip();
        } else if (m instanceof ZabMessage.Ack x) {
            return b(9).put(ACK).putLong(x.zxid()).flip();
        } else if (m instanceof ZabMessage.Commit x) {
            return b(9).put(COMMIT).putLong(x.zxid()).flip();
        } else if (m instanceof ZabMessage.Inform x) {
            return b(21 + x.txn().length).put(INFORM).putLong(x.zxid()).putLong(x.prevZxid())
                    .putInt(x.txn().length).put(x.txn()).flip();
        } else if (m instanceof ZabMessage.Ping x) {
            ByteBuffer out = b(5 + 8 * x.touchedSessions().length).put(PING).putInt(x.touchedSessions().length);
            for (long s : x.touchedSessions()) {
                out.putLong(s);
            }
            return out.flip();
        } else if (m instanceof ZabMessage.Request x) {
            ForwardedRequest r = x.request();
            byte[][] ids = new byte[r.authIds().length][];
            int size = 1 + 8 + 8 + 4 + 4 + 4 + r.body().length + 4;
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.authIds()[i].getBytes(StandardCharsets.UTF_8);
                size += 4 + ids[i].length;
            }
            ByteBuffer out = b(size).put(REQUEST).putLong(r.origin()).putLong(r.sessionId()).putInt(r.cxid())
                    .putInt(r.opCode()).putInt(r.body().length).put(r.body()).putInt(ids.length);
            for (byte[] id : ids) {
                out.putInt(id.length).put(id);
            }
            return out.flip();
        } else if (m instanceof ZabMessage.Sync x) {
            return b(9).put(SYNC).putLong(x.requestId()).flip();
        } else if (m instanceof ZabMessage.SyncReply x) {
            return b(17).put(SYNC_REPLY).putLong(x.requestId()).putLong(x.zxid()).flip();
        }
        throw new IllegalArgumentException("no encoding for " + m);
    }

    /** The message in {@code frame} (read from its position, which is left unchanged), or null if malformed. */
    public static ZabMessage decode(ByteBuffer frame) {
        ByteBuffer b = frame.duplicate();
        try {
            ZabMessage m = switch (b.get()) {
                case LEARNER_INFO -> new ZabMessage.LearnerInfo(b.getLong(), b.getLong(), b.getLong());
                case LEADER_INFO -> new ZabMessage.LeaderInfo(b.getLong());
                case ACK_EPOCH -> new ZabMessage.AckEpoch(b.getLong(), b.getLong(), bool(b.get()));
                case DIFF -> new ZabMessage.Diff(b.getLong());
                case TRUNC -> new ZabMessage.Trunc(b.getLong());
                case SNAP -> new ZabMessage.Snap(b.getLong(), bytes(b));
                case PROPOSAL -> new ZabMessage.Proposal(b.getLong(), b.getLong(), bytes(b));
                case NEW_LEADER -> new ZabMessage.NewLeader(b.getLong(), b.getLong());
                case ACK_NEW_LEADER -> new ZabMessage.AckNewLeader(b.getLong(), b.getLong());
                case UP_TO_DATE -> new ZabMessage.UpToDate(b.getLong());
                case ACK -> new ZabMessage.Ack(b.getLong());
                case COMMIT -> new ZabMessage.Commit(b.getLong());
                case INFORM -> new ZabMessage.Inform(b.getLong(), b.getLong(), bytes(b));
                case PING -> {
                    int n = b.getInt();
                    if (n < 0 || n > b.remaining() / 8) {
                        yield null;
                    }
                    long[] ids = new long[n];
                    for (int i = 0; i < n; i++) {
                        ids[i] = b.getLong();
                    }
                    yield new ZabMessage.Ping(ids);
                }
                case REQUEST -> {
                    long origin = b.getLong();
                    long session = b.getLong();
                    int cxid = b.getInt();
                    int op = b.getInt();
                    byte[] body = bytes(b);
                    int n = b.getInt();
                    if (body == null || n < 0 || n > b.remaining() / 4) { // each id has at least its length
                        yield null;
                    }
                    String[] ids = new String[n];
                    for (int i = 0; i < n; i++) {
                        byte[] id = bytes(b);
                        if (id == null) {
                            yield null;
                        }
                        ids[i] = new String(id, StandardCharsets.UTF_8);
                    }
                    yield new ZabMessage.Request(new ForwardedRequest(origin, session, cxid, op, body, ids));
                }
                case SYNC -> new ZabMessage.Sync(b.getLong());
                case SYNC_REPLY -> new ZabMessage.SyncReply(b.getLong(), b.getLong());
                default -> null;
            };
            return m != null && !b.hasRemaining() ? m : null;
        } catch (BufferUnderflowException | NullPointerException | IllegalArgumentException e) {
            // NullPointerException: a record constructor refusing a null array that bytes() returned for a bad length.
            return null;
        }
    }

    /** One frame of a streamed snapshot (see the class comment). */
    public sealed interface SnapFrame permits SnapBegin, SnapChunk, SnapEnd {}

    public record SnapBegin(long zxid) implements SnapFrame {}

    /** {@code bytes} is a copy, safe to keep after the transport reuses its buffer. */
    public record SnapChunk(byte[] bytes) implements SnapFrame {}

    public record SnapEnd(long totalBytes, int crc32c) implements SnapFrame {}

    public static ByteBuffer snapBegin(long zxid) {
        return b(9).put(SNAP_BEGIN).putLong(zxid).flip();
    }

    public static ByteBuffer snapChunk(byte[] bytes, int length) {
        if (length < 1 || length > SNAP_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk of " + length + " bytes");
        }
        return b(5 + length).put(SNAP_CHUNK).putInt(length).put(bytes, 0, length).flip();
    }

    public static ByteBuffer snapEnd(long totalBytes, int crc32c) {
        return b(13).put(SNAP_END).putLong(totalBytes).putInt(crc32c).flip();
    }

    /** Whether {@code frame} is one of the snapshot stream frames (by its type byte; it may still be malformed). */
    public static boolean isSnapFrame(ByteBuffer frame) {
        if (!frame.hasRemaining()) {
            return false;
        }
        byte t = frame.get(frame.position());
        return t == SNAP_BEGIN || t == SNAP_CHUNK || t == SNAP_END;
    }

    /** The snapshot stream frame in {@code frame} (position unchanged), or null if malformed. Never throws. */
    public static SnapFrame decodeSnapFrame(ByteBuffer frame) {
        ByteBuffer b = frame.duplicate();
        try {
            SnapFrame f = switch (b.get()) {
                case SNAP_BEGIN -> new SnapBegin(b.getLong());
                case SNAP_CHUNK -> {
                    int n = b.getInt();
                    if (n < 1 || n > SNAP_CHUNK_BYTES || n != b.remaining()) {
                        yield null;
                    }
                    byte[] out = new byte[n];
                    b.get(out);
                    yield new SnapChunk(out);
                }
                case SNAP_END -> {
                    long total = b.getLong();
                    int crc = b.getInt();
                    yield total < 0 ? null : new SnapEnd(total, crc);
                }
                default -> null;
            };
            return f != null && !b.hasRemaining() ? f : null;
        } catch (BufferUnderflowException e) {
            return null;
        }
    }

    private static boolean bool(byte v) {
        if (v != 0 && v != 1) {
            throw new IllegalArgumentException("not a boolean");
        }
        return v == 1;
    }

    private static byte[] bytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            return null;
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static ByteBuffer b(int size) {
        return ByteBuffer.allocate(size);
    }
}
