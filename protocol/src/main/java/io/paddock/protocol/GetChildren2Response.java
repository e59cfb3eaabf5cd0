package io.paddock.protocol;

import io.paddock.api.Stat;
import java.util.List;
import java.util.Objects;

/** Op 12 response: child names and the parent's Stat. */
public record GetChildren2Response(List<String> children, Stat stat) implements JuteRecord {
    public GetChildren2Response {
        Objects.requireNonNull(stat, "stat");
    }

    public static GetChildren2Response read(JuteInput in) {
        List<String> children = in.readStringList();
        return new GetChildren2Response(children, in.readStat());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeStringList(children).writeStat(stat);
    }
}
