package io.paddock.server.pipeline;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.auth.AuthScheme;
import io.paddock.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ACL checks and the create/setACL "fixup" (WIRE-PROTOCOL.md §8). {@code world} and {@code auth} are built in; every
 * other scheme is an {@link AuthScheme} plugin. A session holding {@link Id#SUPER} passes every check.
 */
public final class AclChecker {
    private final Map<String, AuthScheme> schemes;

    public AclChecker(Map<String, AuthScheme> schemes) {
        this.schemes = Map.copyOf(schemes);
    }

    public AuthScheme scheme(String name) {
        return schemes.get(name);
    }

    public boolean allowed(List<Acl> acl, List<Id> ids, int perm) {
        for (Id id : ids) {
            if (id.equals(Id.SUPER)) {
                return true;
            }
        }
        if (acl == null || acl.isEmpty()) {
            return true;
        }
        for (Acl a : acl) {
            if ((a.perms() & perm) == 0) {
                continue;
            }
            Id want = a.id();
            if ("world".equals(want.scheme()) && "anyone".equals(want.id())) {
                return true;
            }
            AuthScheme scheme = schemes.get(want.scheme());
            if (scheme == null) {
                continue;
            }
            for (Id held : ids) {
                if (held.scheme().equals(want.scheme()) && scheme.matches(held.id(), want.id())) {
                    return true;
                }
            }
        }
        return false;
    }

    public void check(List<Acl> acl, List<Id> ids, int perm) throws KeeperError {
        if (!allowed(acl, ids, perm)) {
            throw new KeeperError(ErrorCode.NO_AUTH);
        }
    }

    /** Validates an ACL from a create or setACL and expands {@code auth} entries; the result is what gets stored. */
    public List<Acl> fixup(List<Acl> acl, List<Id> ids) throws KeeperError {
        if (acl == null || acl.isEmpty()) {
            throw new KeeperError(ErrorCode.INVALID_ACL);
        }
        Set<Acl> unique = new LinkedHashSet<>(acl);
        List<Acl> out = new ArrayList<>(unique.size());
        for (Acl a : unique) {
            Id id = a.id();
            switch (id.scheme()) {
                case "world":
                    if (!"anyone".equals(id.id())) {
                        throw new KeeperError(ErrorCode.INVALID_ACL);
                    }
                    out.add(a);
                    break;
                case "auth":
                    boolean any = false;
                    for (Id held : ids) {
                        AuthScheme s = schemes.get(held.scheme());
                        if (s != null && s.isAuthenticated()) {
                            // Duplicates are removed before expansion only, as ZooKeeper does: an expanded id may
                            // repeat an explicit entry and is stored twice.
                            out.add(new Acl(a.perms(), held));
                            any = true;
                        }
                    }
                    if (!any) {
                        throw new KeeperError(ErrorCode.INVALID_ACL);
                    }
                    break;
                default:
                    AuthScheme s = schemes.get(id.scheme());
                    if (s == null || !s.isValid(id.id())) {
                        throw new KeeperError(ErrorCode.INVALID_ACL);
                    }
                    out.add(a);
            }
        }
        return out;
    }
}
