package io.paddock.protocol;

/** Op 3 (§5.6); with {@code watch} the watch is set even when the node is missing. */
public record ExistsRequest(String path, boolean watch) implements JuteRecord {
    public static ExistsRequest read(JuteInput in) {
        String path = in.readString();
        return new ExistsRequest(path, in.readBool());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeBool(watch);
    }
}
