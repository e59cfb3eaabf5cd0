package io.paddock.protocol;

/** Op 100, sent with xid -4 (§5.2); {@code auth} is scheme-specific, e.g. the bytes of "user:password". */
public record AuthPacket(int type, String scheme, byte[] auth) implements JuteRecord {
    public static AuthPacket read(JuteInput in) {
        int type = in.readInt();
        String scheme = in.readString();
        return new AuthPacket(type, scheme, in.readBuffer());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(type).writeString(scheme).writeBuffer(auth);
    }
}
