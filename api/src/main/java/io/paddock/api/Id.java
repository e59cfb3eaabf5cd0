package io.paddock.api;

import java.util.Objects;

/** An identity under an auth scheme, e.g. {@code world:anyone}, {@code digest:user:hash}, {@code ip:10.0.0.0/8}. */
public record Id(String scheme, String id) {
    public static final Id ANYONE = new Id("world", "anyone");
    /** The pseudo-id that create/setACL expand to every authenticated id of the caller. */
    public static final Id AUTH_IDS = new Id("auth", "");
    /** Held by a session that authenticated as the super user; bypasses every ACL check. */
    public static final Id SUPER = new Id("super", "");

    public Id {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String toString() {
        return scheme + ":" + id;
    }
}
