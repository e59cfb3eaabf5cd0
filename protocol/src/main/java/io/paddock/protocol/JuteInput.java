package io.paddock.protocol;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Stat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads jute's binary encoding from a buffer holding one frame payload. Every length is checked against the bytes
 * actually left, so a lying length fails with {@link MalformedRecordException} instead of a large allocation.
 */
public final class JuteInput {
    private final ByteBuffer buf;

    public JuteInput(ByteBuffer buf) {
        this.buf = buf;
    }

    public static JuteInput of(byte[] bytes) {
        return new JuteInput(ByteBuffer.wrap(bytes));
    }

    public int remaining() {
        return buf.remaining();
    }

    public boolean hasRemaining() {
        return buf.hasRemaining();
    }

    public ByteBuffer buffer() {
        return buf;
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw new MalformedRecordException("record truncated: need " + n + " bytes, have " + buf.remaining());
        }
    }

    public byte readByte() {
        need(1);
        return buf.get();
    }

    /** Any non-zero byte is true, as in the Java reader. */
    public boolean readBool() {
        need(1);
        return buf.get() != 0;
    }

    public int readInt() {
        need(4);
        return buf.getInt();
    }

    public long readLong() {
        need(8);
        return buf.getLong();
    }

    private int readLength(String what) {
        int len = readInt();
        if (len < -1) {
            throw new MalformedRecordException("negative " + what + " length " + len);
        }
        if (len > buf.remaining()) {
            throw new MalformedRecordException(what + " length " + len + " exceeds the " + buf.remaining() + " bytes left");
        }
        return len;
    }

    /**
     * A ustring; {@code null} when the length is -1. Decodes standard UTF-8 (4-byte sequences from the C and Python
     * clients) and also the 3-byte surrogate encodings the Java writer emits for supplementary characters, which the
     * JDK's UTF-8 decoder would turn into U+FFFD. That keeps a string written by {@link JuteOutput#writeString}
     * intact through a read.
     */
    public String readString() {
        int len = readLength("string");
        if (len < 0) {
            return null;
        }
        if (buf.hasArray()) {
            int off = buf.arrayOffset() + buf.position();
            buf.position(buf.position() + len);
            return decodeUtf8(buf.array(), off, len);
        }
        byte[] b = new byte[len];
        buf.get(b);
        return decodeUtf8(b, 0, len);
    }

    static String decodeUtf8(byte[] b, int off, int len) {
        int end = off + len;
        int at = indexOfSurrogate(b, off, end);
        if (at < 0) {
            return new String(b, off, len, StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder(len);
        int from = off;
        while (at >= 0) {
            sb.append(new String(b, from, at - from, StandardCharsets.UTF_8));
            sb.append((char) (0xd000 | ((b[at + 1] & 0x3f) << 6) | (b[at + 2] & 0x3f)));
            from = at + 3;
            at = indexOfSurrogate(b, from, end);
        }
        sb.append(new String(b, from, end - from, StandardCharsets.UTF_8));
        return sb.toString();
    }

    /** Where the next 3-byte encoding of a UTF-16 surrogate (ED A0..BF 80..BF) starts, or -1. */
    private static int indexOfSurrogate(byte[] b, int from, int end) {
        for (int i = from; i + 2 < end; i++) {
            if (b[i] == (byte) 0xed && (b[i + 1] & 0xe0) == 0xa0 && (b[i + 2] & 0xc0) == 0x80) {
                return i;
            }
        }
        return -1;
    }

    /** A buffer; {@code null} when the length is -1. */
    public byte[] readBuffer() {
        int len = readLength("buffer");
        if (len < 0) {
            return null;
        }
        byte[] b = new byte[len];
        buf.get(b);
        return b;
    }

    /** Reads a vector count; -1 means a null vector. Each element needs at least {@code elementBytesMin} bytes. */
    public int readVectorCount(int elementBytesMin) {
        int count = readInt();
        if (count < -1) {
            throw new MalformedRecordException("negative vector count " + count);
        }
        if (count > 0 && (long) count * elementBytesMin > buf.remaining()) {
            throw new MalformedRecordException("vector count " + count + " cannot fit in " + buf.remaining() + " bytes");
        }
        return count;
    }

    /** A vector of ustrings; {@code null} when the count is -1. */
    public List<String> readStringList() {
        int count = readVectorCount(4);
        if (count < 0) {
            return null;
        }
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(readString());
        }
        return out;
    }

    public Id readId() {
        String scheme = readString();
        String id = readString();
        if (scheme == null || id == null) {
            throw new MalformedRecordException("Id with a null scheme or id");
        }
        return new Id(scheme, id);
    }

    public Acl readAcl() {
        int perms = readInt();
        return new Acl(perms, readId());
    }

    /** A vector of ACLs; {@code null} when the count is -1. */
    public List<Acl> readAclList() {
        int count = readVectorCount(12);
        if (count < 0) {
            return null;
        }
        List<Acl> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(readAcl());
        }
        return out;
    }

    public Stat readStat() {
        need(68);
        return new Stat(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong(), buf.getInt(), buf.getInt(),
                buf.getInt(), buf.getLong(), buf.getInt(), buf.getInt(), buf.getLong());
    }
}
