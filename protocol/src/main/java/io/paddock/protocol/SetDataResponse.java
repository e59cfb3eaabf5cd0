package io.paddock.protocol;

import io.paddock.api.Stat;
import java.util.Objects;

/** Op 5 response: the node's Stat after the write. */
public record SetDataResponse(Stat stat) implements JuteRecord {
    public SetDataResponse {
        Objects.requireNonNull(stat, "stat");
    }

    public static SetDataResponse read(JuteInput in) {
        return new SetDataResponse(in.readStat());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeStat(stat);
    }
}
