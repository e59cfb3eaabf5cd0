package io.paddock.server.pipeline;

import io.paddock.protocol.JuteOutput;
import io.paddock.protocol.JuteRecord;
import java.nio.ByteBuffer;

/** Builds complete reply frames: length prefix, ReplyHeader, optional body, in one array. */
public final class Replies {
    private Replies() {}

    public static ByteBuffer header(int xid, long zxid, int err) {
        JuteOutput out = JuteOutput.forFrame(16);
        out.writeInt(xid).writeLong(zxid).writeInt(err);
        return out.toFrame();
    }

    public static ByteBuffer of(int xid, long zxid, JuteRecord body) {
        JuteOutput out = JuteOutput.forFrame(64);
        out.writeInt(xid).writeLong(zxid).writeInt(0);
        body.write(out);
        return out.toFrame();
    }
}
