package io.paddock.auth.ip;

import io.paddock.api.auth.AuthProvider;
import io.paddock.api.auth.AuthScheme;
import io.paddock.auth.ip.internal.IpScheme;
import java.util.Map;

/**
 * Provides the {@code ip} scheme: ACL ids are IPv4/IPv6 addresses or CIDR ranges, matched against the connection's
 * remote address. It has no settings; see {@code auth-ip/README.md}.
 */
public final class IpAuthProvider implements AuthProvider {
    @Override
    public String name() {
        return IpScheme.NAME;
    }

    @Override
    public AuthScheme create(Map<String, String> settings) {
        return new IpScheme();
    }
}
