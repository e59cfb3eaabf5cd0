package io.paddock.protocol;

/**
 * The server's answer to a {@link ConnectRequest}, sent without a header (§2.3). {@code timeOut == 0} and
 * {@code sessionId == 0} tell the client its session is gone. The {@code readOnly} byte is written only when
 * {@code includeReadOnly} is set, mirroring the request (§2.4); {@link #read} tolerates its absence.
 */
public record ConnectResponse(
        int protocolVersion,
        int timeOut,
        long sessionId,
        byte[] passwd,
        boolean readOnly,
        boolean includeReadOnly) implements JuteRecord {

    public static ConnectResponse read(JuteInput in) {
        int protocolVersion = in.readInt();
        int timeOut = in.readInt();
        long sessionId = in.readLong();
        byte[] passwd = in.readBuffer();
        boolean includeReadOnly = in.hasRemaining();
        boolean readOnly = includeReadOnly && in.readBool();
        return new ConnectResponse(protocolVersion, timeOut, sessionId, passwd, readOnly, includeReadOnly);
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(protocolVersion).writeInt(timeOut).writeLong(sessionId).writeBuffer(passwd);
        if (includeReadOnly) {
            out.writeBool(readOnly);
        }
    }
}
