package io.paddock.api.auth;

import io.paddock.api.Id;
import java.net.InetSocketAddress;
import java.util.List;

/** One ACL scheme at run time. Thread-safe and free of blocking I/O. */
public interface AuthScheme {
    String scheme();

    /**
     * Handles an auth packet's credentials. Returns the ids the session gains (may include {@link Id#SUPER}); an
     * empty list means the credentials are rejected, and the server answers AUTHFAILED and closes the connection.
     */
    List<Id> authenticate(InetSocketAddress remote, byte[] credentials);

    /** Does a session holding identity {@code held} (of this scheme) match the ACL expression {@code aclId}? */
    boolean matches(String held, String aclId);

    /** Is {@code aclId} a well-formed id of this scheme for an ACL? Invalid ids make create/setACL fail with -114. */
    boolean isValid(String aclId);

    /**
     * Whether ids of this scheme count as "authenticated" for the {@code auth} pseudo-scheme (digest, sasl and x509
     * do; ip does not).
     */
    boolean isAuthenticated();

    /** The user name reported by whoAmI for an id of this scheme; by default the id itself. */
    default String userName(String held) {
        return held;
    }
}
