package io.paddock.auth.ip.internal;

import io.paddock.api.Id;
import io.paddock.api.auth.AuthScheme;
import io.paddock.auth.ip.core.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * ZooKeeper's {@code ip} scheme (WIRE-PROTOCOL.md §8.3). The server gives every connection its remote address as an
 * {@code ip} id when it connects; an explicit {@code addauth ip} adds the same id again, whatever the credentials.
 * ACL ids are address literals or CIDR ranges ({@link IpLiteral}): both sides are masked to the prefix and compared;
 * IPv4 and IPv6 never match each other, and a malformed id is invalid and matches nothing. No DNS lookup, ever.
 *
 * <p>ip ids are not "authenticated" (the {@code auth} pseudo-scheme ignores them): an address is spoofable.
 */
public final class IpScheme implements AuthScheme {
    public static final String NAME = "ip";

    @Override
    public String scheme() {
        return NAME;
    }

    @Override
    public List<Id> authenticate(InetSocketAddress remote, byte[] credentials) {
        InetAddress address = remote == null ? null : remote.getAddress();
        if (address == null) {
            return List.of();
        }
        // getHostAddress only formats the bytes (IPv6 in full form, e.g. 0:0:0:0:0:0:0:1): no lookup
        return List.of(new Id(NAME, address.getHostAddress()));
    }

    @Override
    public boolean matches(String held, String aclId) {
        IpLiteral.Range range = IpLiteral.range(aclId);
        return range != null && range.contains(IpLiteral.address(held));
    }

    @Override
    public boolean isValid(String aclId) {
        return IpLiteral.range(aclId) != null;
    }

    @Override
    public boolean isAuthenticated() {
        return false;
    }
}
