package io.paddock.protocol;

import io.paddock.api.Stat;
import java.util.Objects;

/** Response to ops 15, 19 and 21: the created path and the new node's Stat. */
public record Create2Response(String path, Stat stat) implements JuteRecord {
    public Create2Response {
        Objects.requireNonNull(stat, "stat");
    }

    public static Create2Response read(JuteInput in) {
        String path = in.readString();
        return new Create2Response(path, in.readStat());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeStat(stat);
    }
}
