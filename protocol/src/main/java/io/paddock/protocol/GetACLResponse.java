package io.paddock.protocol;

import io.paddock.api.Acl;
import io.paddock.api.Stat;
import java.util.List;
import java.util.Objects;

/** Op 6 response: the node's ACL and its Stat. */
public record GetACLResponse(List<Acl> acl, Stat stat) implements JuteRecord {
    public GetACLResponse {
        Objects.requireNonNull(stat, "stat");
    }

    public static GetACLResponse read(JuteInput in) {
        List<Acl> acl = in.readAclList();
        return new GetACLResponse(acl, in.readStat());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeAclList(acl).writeStat(stat);
    }
}
