package io.paddock.protocol;

/** Precedes every client request after the handshake (§3.1, 8 bytes). */
public record RequestHeader(int xid, int type) implements JuteRecord {
    public static RequestHeader read(JuteInput in) {
        int xid = in.readInt();
        return new RequestHeader(xid, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(xid).writeInt(type);
    }
}
