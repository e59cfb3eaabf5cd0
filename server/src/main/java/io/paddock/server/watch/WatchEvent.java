package io.paddock.server.watch;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * One watch event. The notification frame is encoded at most once and shared by every watcher it goes to.
 */
public final class WatchEvent {
    private final int type;
    private final String path;
    private final long zxid;
    private final Function<WatchEvent, ByteBuffer> encoder;
    private ByteBuffer frame;

    public WatchEvent(int type, String path, long zxid, Function<WatchEvent, ByteBuffer> encoder) {
        this.type = type;
        this.path = path;
        this.zxid = zxid;
        this.encoder = encoder;
    }

    public int type() {
        return type;
    }

    public String path() {
        return path;
    }

    public long zxid() {
        return zxid;
    }

    /** A private view of the encoded frame for one recipient. */
    public synchronized ByteBuffer frame() {
        if (frame == null) {
            frame = encoder.apply(this);
        }
        return frame.duplicate();
    }
}
