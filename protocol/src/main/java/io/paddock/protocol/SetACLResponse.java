package io.paddock.protocol;

import io.paddock.api.Stat;
import java.util.Objects;

/** Op 7 response: the node's Stat after the ACL change. */
public record SetACLResponse(Stat stat) implements JuteRecord {
    public SetACLResponse {
        Objects.requireNonNull(stat, "stat");
    }

    public static SetACLResponse read(JuteInput in) {
        return new SetACLResponse(in.readStat());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeStat(stat);
    }
}
