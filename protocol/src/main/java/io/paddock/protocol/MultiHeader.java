package io.paddock.protocol;

/** Precedes each op and each result inside a multi body (§5.10, §5.11; 9 bytes). */
public record MultiHeader(int type, boolean done, int err) implements JuteRecord {
    /** Encoded size; also the least number of bytes one multi entry can take. */
    public static final int BYTES = 9;
    /** Ends every multi request and response body; there is no count prefix. */
    public static final MultiHeader TERMINATOR = new MultiHeader(-1, true, -1);

    public static MultiHeader read(JuteInput in) {
        int type = in.readInt();
        boolean done = in.readBool();
        return new MultiHeader(type, done, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(type).writeBool(done).writeInt(err);
    }
}
