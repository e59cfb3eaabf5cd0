package io.paddock.api;

import java.util.List;
import java.util.Objects;

/** One ACL entry: a permission bit set ({@link Perms}) granted to an {@link Id}. */
public record Acl(int perms, Id id) {
    public static final List<Acl> OPEN_ACL_UNSAFE = List.of(new Acl(Perms.ALL, Id.ANYONE));
    public static final List<Acl> READ_ACL_UNSAFE = List.of(new Acl(Perms.READ, Id.ANYONE));
    public static final List<Acl> CREATOR_ALL_ACL = List.of(new Acl(Perms.ALL, Id.AUTH_IDS));

    public Acl {
        Objects.requireNonNull(id, "id");
    }
}
