package io.paddock.protocol;

import io.paddock.api.Acl;
import java.util.List;

/** Op 7 (§5.7); {@code version} is compared with the node's aversion, -1 matches any. */
public record SetACLRequest(String path, List<Acl> acl, int version) implements JuteRecord {
    public static SetACLRequest read(JuteInput in) {
        String path = in.readString();
        List<Acl> acl = in.readAclList();
        return new SetACLRequest(path, acl, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeAclList(acl).writeInt(version);
    }
}
