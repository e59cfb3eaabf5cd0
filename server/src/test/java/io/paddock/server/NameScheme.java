package io.paddock.server;

import io.paddock.api.Id;
import io.paddock.api.auth.AuthScheme;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A test scheme where {@code addauth name <who>} makes the session {@code name:<who>}. */
final class NameScheme implements AuthScheme {
    @Override
    public String scheme() {
        return "name";
    }

    @Override
    public List<Id> authenticate(InetSocketAddress remote, byte[] credentials) {
        return credentials.length == 0 ? List.of()
                : List.of(new Id("name", new String(credentials, StandardCharsets.UTF_8)));
    }

    @Override
    public boolean matches(String held, String aclId) {
        return held.equals(aclId);
    }

    @Override
    public boolean isValid(String aclId) {
        return !aclId.isEmpty();
    }

    @Override
    public boolean isAuthenticated() {
        return true;
    }
}
