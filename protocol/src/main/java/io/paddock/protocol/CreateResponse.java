package io.paddock.protocol;

/** Op 1 response: the path actually created, including any sequence suffix. */
public record CreateResponse(String path) implements JuteRecord {
    public static CreateResponse read(JuteInput in) {
        return new CreateResponse(in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path);
    }
}
