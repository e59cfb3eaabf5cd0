package io.paddock.protocol;

import io.paddock.api.Acl;
import java.util.List;

/** Ops 1, 15 and 19, and create sub-ops of multi (§5.4); {@code flags} is the CreateMode (§10.4). */
public record CreateRequest(String path, byte[] data, List<Acl> acl, int flags) implements JuteRecord {
    public static CreateRequest read(JuteInput in) {
        String path = in.readString();
        byte[] data = in.readBuffer();
        List<Acl> acl = in.readAclList();
        return new CreateRequest(path, data, acl, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeBuffer(data).writeAclList(acl).writeInt(flags);
    }
}
