package io.paddock.protocol;

/** Op 102 response: the server's next SASL token. */
public record SetSASLResponse(byte[] token) implements JuteRecord {
    public static SetSASLResponse read(JuteInput in) {
        return new SetSASLResponse(in.readBuffer());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeBuffer(token);
    }
}
