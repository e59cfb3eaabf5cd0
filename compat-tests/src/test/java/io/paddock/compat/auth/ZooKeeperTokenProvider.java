package io.paddock.compat.auth;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.auth.AuthenticationProvider;

/**
 * The example {@code token} scheme (examples/auth-token) rewritten as a ZooKeeper AuthenticationProvider, so that
 * {@link TokenPluginIT} can run against the real server too: same settings format, same ids, same validity rule.
 * ZooKeeper instantiates it by class name, so its tokens come from the system property {@value #TOKENS_PROPERTY}.
 */
public final class ZooKeeperTokenProvider implements AuthenticationProvider {
    static final String TOKENS_PROPERTY = "compat.token.tokens";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Map<String, String> nameByToken = new HashMap<>();

    public ZooKeeperTokenProvider() {
        for (String pair : System.getProperty(TOKENS_PROPERTY, "").split(",")) {
            int colon = pair.indexOf(':');
            if (colon > 0) {
                nameByToken.put(pair.substring(colon + 1).trim(), pair.substring(0, colon).trim());
            }
        }
    }

    @Override
    public String getScheme() {
        return "token";
    }

    @Override
    public KeeperException.Code handleAuthentication(ServerCnxn cnxn, byte[] authData) {
        String name = authData == null ? null : nameByToken.get(new String(authData, StandardCharsets.UTF_8));
        if (name == null) {
            return KeeperException.Code.AUTHFAILED;
        }
        cnxn.addAuthInfo(new Id(getScheme(), name));
        return KeeperException.Code.OK;
    }

    @Override
    public boolean matches(String id, String aclExpr) {
        return id.equals(aclExpr);
    }

    @Override
    public boolean isAuthenticated() {
        return true;
    }

    @Override
    public boolean isValid(String id) {
        return NAME.matcher(id).matches();
    }
}
