package io.paddock.protocol;

/** One authenticated identity of a session, as whoAmI reports it (§5.1); {@code user} is "" when unknown. */
public record ClientInfo(String authScheme, String user) implements JuteRecord {
    /** Two length prefixes: the least an element of a {@code vector<ClientInfo>} can take. */
    static final int BYTES_MIN = 8;

    public static ClientInfo read(JuteInput in) {
        String authScheme = in.readString();
        return new ClientInfo(authScheme, in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(authScheme).writeString(user);
    }
}
