package io.paddock.protocol;

import io.paddock.api.Acl;
import java.util.List;

/** Op 21 (§5.4): a create with a time-to-live in milliseconds. */
public record CreateTTLRequest(String path, byte[] data, List<Acl> acl, int flags, long ttl) implements JuteRecord {
    public static CreateTTLRequest read(JuteInput in) {
        String path = in.readString();
        byte[] data = in.readBuffer();
        List<Acl> acl = in.readAclList();
        int flags = in.readInt();
        return new CreateTTLRequest(path, data, acl, flags, in.readLong());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeBuffer(data).writeAclList(acl).writeInt(flags).writeLong(ttl);
    }
}
