package io.paddock.protocol;

/** Op 103 (§5.6); a null, empty or "/" prefix means all of the session's ephemerals. */
public record GetEphemeralsRequest(String prefixPath) implements JuteRecord {
    public static GetEphemeralsRequest read(JuteInput in) {
        return new GetEphemeralsRequest(in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(prefixPath);
    }
}
