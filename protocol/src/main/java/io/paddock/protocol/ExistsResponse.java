package io.paddock.protocol;

import io.paddock.api.Stat;
import java.util.Objects;

/** Op 3 response (§5.6); a missing node is err -101 with no body, never this record. */
public record ExistsResponse(Stat stat) implements JuteRecord {
    public ExistsResponse {
        Objects.requireNonNull(stat, "stat");
    }

    public static ExistsResponse read(JuteInput in) {
        return new ExistsResponse(in.readStat());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeStat(stat);
    }
}
