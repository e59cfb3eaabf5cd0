package io.paddock.protocol;

/**
 * The first frame of a connection, sent without a header (§2.2). Clients older than 3.4 omit the trailing
 * {@code readOnly} byte (§2.4): {@link #read} records whether it was there in {@code hasReadOnly}, and
 * {@link #write} emits it only when {@code hasReadOnly} is set, so the server can answer in the same shape.
 */
public record ConnectRequest(
        int protocolVersion,
        long lastZxidSeen,
        int timeOut,
        long sessionId,
        byte[] passwd,
        boolean readOnly,
        boolean hasReadOnly) implements JuteRecord {

    public static ConnectRequest read(JuteInput in) {
        int protocolVersion = in.readInt();
        long lastZxidSeen = in.readLong();
        int timeOut = in.readInt();
        long sessionId = in.readLong();
        byte[] passwd = in.readBuffer();
        boolean hasReadOnly = in.hasRemaining();
        boolean readOnly = hasReadOnly && in.readBool();
        return new ConnectRequest(protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly, hasReadOnly);
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(protocolVersion).writeLong(lastZxidSeen).writeInt(timeOut).writeLong(sessionId)
                .writeBuffer(passwd);
        if (hasReadOnly) {
            out.writeBool(readOnly);
        }
    }
}
