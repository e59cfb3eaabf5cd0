package io.paddock.protocol;

import java.util.List;

/** Op 101 (§5.8, §7.6): re-registers one-shot watches after a reconnect. */
public record SetWatches(long relativeZxid, List<String> dataWatches, List<String> existWatches,
        List<String> childWatches) implements JuteRecord {

    public static SetWatches read(JuteInput in) {
        long relativeZxid = in.readLong();
        List<String> dataWatches = in.readStringList();
        List<String> existWatches = in.readStringList();
        return new SetWatches(relativeZxid, dataWatches, existWatches, in.readStringList());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeLong(relativeZxid).writeStringList(dataWatches).writeStringList(existWatches)
                .writeStringList(childWatches);
    }
}
