package io.paddock.protocol;

import java.util.List;

/** Op 105 (§5.8, §7.6): {@link SetWatches} plus persistent and persistent-recursive watches. */
public record SetWatches2(long relativeZxid, List<String> dataWatches, List<String> existWatches,
        List<String> childWatches, List<String> persistentWatches, List<String> persistentRecursiveWatches)
        implements JuteRecord {

    public static SetWatches2 read(JuteInput in) {
        long relativeZxid = in.readLong();
        List<String> dataWatches = in.readStringList();
        List<String> existWatches = in.readStringList();
        List<String> childWatches = in.readStringList();
        List<String> persistentWatches = in.readStringList();
        return new SetWatches2(relativeZxid, dataWatches, existWatches, childWatches, persistentWatches,
                in.readStringList());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeLong(relativeZxid).writeStringList(dataWatches).writeStringList(existWatches)
                .writeStringList(childWatches).writeStringList(persistentWatches)
                .writeStringList(persistentRecursiveWatches);
    }
}
