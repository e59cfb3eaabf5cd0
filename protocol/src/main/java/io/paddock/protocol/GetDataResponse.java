package io.paddock.protocol;

import io.paddock.api.Stat;
import java.util.Objects;

/** Response to op 4 and op 16 (reconfig); {@code data} is null when the node's data is null. */
public record GetDataResponse(byte[] data, Stat stat) implements JuteRecord {
    public GetDataResponse {
        Objects.requireNonNull(stat, "stat");
    }

    public static GetDataResponse read(JuteInput in) {
        byte[] data = in.readBuffer();
        return new GetDataResponse(data, in.readStat());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeBuffer(data).writeStat(stat);
    }
}
