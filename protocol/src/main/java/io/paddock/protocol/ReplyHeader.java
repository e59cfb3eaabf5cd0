package io.paddock.protocol;

/** Precedes every server frame after the handshake (§3.2, 16 bytes); a body follows only when {@code err == 0}. */
public record ReplyHeader(int xid, long zxid, int err) implements JuteRecord {
    public static ReplyHeader read(JuteInput in) {
        int xid = in.readInt();
        long zxid = in.readLong();
        return new ReplyHeader(xid, zxid, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(xid).writeLong(zxid).writeInt(err);
    }
}
