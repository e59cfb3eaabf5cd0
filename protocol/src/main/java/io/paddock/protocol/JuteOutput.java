package io.paddock.protocol;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Stat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Writes jute's binary encoding into a growable array. {@link #forFrame()} reserves the 4-byte length prefix so a
 * whole reply frame is built in one array and sent without copying.
 */
public final class JuteOutput {
    private static final int FRAME_HEADER = 4;
    /** The largest array the JVM reliably allocates; far above any frame a client accepts (about 1 MiB). */
    private static final int BYTES_MAX = Integer.MAX_VALUE - 16;

    private byte[] bytes;
    private int pos;
    private final boolean framed;

    private JuteOutput(int capacity, boolean framed) {
        this.bytes = new byte[Math.max(capacity, 16)];
        this.framed = framed;
        this.pos = framed ? FRAME_HEADER : 0;
    }

    /** An output for a plain record (no length prefix). */
    public static JuteOutput plain() {
        return new JuteOutput(64, false);
    }

    /** An output whose first 4 bytes are filled with the payload length by {@link #toFrame()}. */
    public static JuteOutput forFrame() {
        return new JuteOutput(64, true);
    }

    public static JuteOutput forFrame(int payloadBytesHint) {
        return new JuteOutput(payloadBytesHint + FRAME_HEADER, true);
    }

    /** Grows the array for {@code n} more bytes; computed in long so a huge string cannot overflow the check. */
    private void ensure(long n) {
        long needed = pos + n;
        if (needed > bytes.length) {
            if (needed > BYTES_MAX) {
                throw new IllegalStateException("record would exceed " + BYTES_MAX + " bytes");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(BYTES_MAX, Math.max(2L * bytes.length, needed)));
        }
    }

    /** Bytes written so far, not counting a reserved length prefix. */
    public int size() {
        return framed ? pos - FRAME_HEADER : pos;
    }

    public JuteOutput writeByte(byte v) {
        ensure(1);
        bytes[pos++] = v;
        return this;
    }

    public JuteOutput writeBool(boolean v) {
        return writeByte(v ? (byte) 1 : (byte) 0);
    }

    public JuteOutput writeInt(int v) {
        ensure(4);
        bytes[pos] = (byte) (v >>> 24);
        bytes[pos + 1] = (byte) (v >>> 16);
        bytes[pos + 2] = (byte) (v >>> 8);
        bytes[pos + 3] = (byte) v;
        pos += 4;
        return this;
    }

    public JuteOutput writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    /**
     * A ustring; null is written as length -1. Encodes each UTF-16 char on its own (1, 2 or 3 bytes), as the Java
     * writer does, so a supplementary character becomes two 3-byte surrogate encodings: byte-exact with the
     * official client and server.
     */
    public JuteOutput writeString(String s) {
        if (s == null) {
            return writeInt(-1);
        }
        int n = s.length();
        int lenPos = pos;
        ensure(4L + 3L * n);
        pos += 4;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes[pos++] = (byte) c;
            } else if (c < 0x800) {
                bytes[pos++] = (byte) (0xc0 | (c >> 6));
                bytes[pos++] = (byte) (0x80 | (c & 0x3f));
            } else {
                bytes[pos++] = (byte) (0xe0 | (c >> 12));
                bytes[pos++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                bytes[pos++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        int len = pos - lenPos - 4;
        bytes[lenPos] = (byte) (len >>> 24);
        bytes[lenPos + 1] = (byte) (len >>> 16);
        bytes[lenPos + 2] = (byte) (len >>> 8);
        bytes[lenPos + 3] = (byte) len;
        return this;
    }

    /** A buffer; null is written as length -1. */
    public JuteOutput writeBuffer(byte[] b) {
        if (b == null) {
            return writeInt(-1);
        }
        writeInt(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, bytes, pos, b.length);
        pos += b.length;
        return this;
    }

    /** Raw bytes with no length prefix (for splicing an already-encoded record). */
    public JuteOutput writeRaw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, pos, len);
        pos += len;
        return this;
    }

    public JuteOutput writeStringList(List<String> list) {
        if (list == null) {
            return writeInt(-1);
        }
        writeInt(list.size());
        for (String s : list) {
            writeString(s);
        }
        return this;
    }

    public JuteOutput writeId(Id id) {
        writeString(id.scheme());
        return writeString(id.id());
    }

    public JuteOutput writeAcl(Acl acl) {
        writeInt(acl.perms());
        return writeId(acl.id());
    }

    public JuteOutput writeAclList(List<Acl> list) {
        if (list == null) {
            return writeInt(-1);
        }
        writeInt(list.size());
        for (Acl a : list) {
            writeAcl(a);
        }
        return this;
    }

    public JuteOutput writeStat(Stat s) {
        ensure(68);
        writeLong(s.czxid());
        writeLong(s.mzxid());
        writeLong(s.ctime());
        writeLong(s.mtime());
        writeInt(s.version());
        writeInt(s.cversion());
        writeInt(s.aversion());
        writeLong(s.ephemeralOwner());
        writeInt(s.dataLength());
        writeInt(s.numChildren());
        return writeLong(s.pzxid());
    }

    public JuteOutput write(JuteRecord record) {
        record.write(this);
        return this;
    }

    /** A copy of the bytes written (a plain record's encoding). */
    public byte[] toByteArray() {
        int start = framed ? FRAME_HEADER : 0;
        return Arrays.copyOfRange(bytes, start, pos);
    }

    /** Fills the reserved length prefix and returns the whole frame, ready for a transport. */
    public ByteBuffer toFrame() {
        if (!framed) {
            throw new IllegalStateException("not a framed output");
        }
        int len = pos - FRAME_HEADER;
        bytes[0] = (byte) (len >>> 24);
        bytes[1] = (byte) (len >>> 16);
        bytes[2] = (byte) (len >>> 8);
        bytes[3] = (byte) len;
        return ByteBuffer.wrap(bytes, 0, pos);
    }
}
