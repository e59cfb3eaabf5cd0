package io.paddock.compat.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.function.Executable;

/** Helpers shared by the ACL suites. */
final class Acls {
    private Acls() {
    }

    /** {@code user:base64(sha1(user:password))}, computed here from WIRE-PROTOCOL.md §8.4. */
    static String digestId(String userPassword) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(userPassword.getBytes(StandardCharsets.UTF_8));
            return userPassword.substring(0, userPassword.indexOf(':')) + ":"
                    + Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static ACL acl(int perms, String scheme, String id) {
        return new ACL(perms, new Id(scheme, id));
    }

    static List<ACL> acls(ACL... entries) {
        return new ArrayList<>(List.of(entries));
    }

    /** getACL's answer as a set, since the servers may order the entries of an expanded {@code auth} ACL freely. */
    static Set<ACL> aclSet(List<ACL> list) {
        return new HashSet<>(list);
    }

    static Set<String> whoAmI(ZooKeeper zk) throws Exception {
        Set<String> out = new HashSet<>();
        for (ClientInfo info : zk.whoAmI()) {
            out.add(info.getAuthScheme() + ":" + info.getUser());
        }
        return out;
    }

    static void assertCode(KeeperException.Code expected, Executable call) {
        KeeperException e = assertThrows(KeeperException.class, call);
        assertEquals(expected, e.code(), () -> "got " + e);
    }

    static void assertNoAuth(Executable call) {
        assertCode(KeeperException.Code.NOAUTH, call);
    }

    static void assertInvalidAcl(Executable call) {
        assertCode(KeeperException.Code.INVALIDACL, call);
    }
}
