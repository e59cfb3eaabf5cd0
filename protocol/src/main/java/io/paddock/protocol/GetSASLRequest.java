package io.paddock.protocol;

/** Op 102 request: one SASL challenge-response token tunnelled through the session. */
public record GetSASLRequest(byte[] token) implements JuteRecord {
    public static GetSASLRequest read(JuteInput in) {
        return new GetSASLRequest(in.readBuffer());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeBuffer(token);
    }
}
