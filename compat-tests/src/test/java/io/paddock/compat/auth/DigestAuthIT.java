package io.paddock.compat.auth;

import static io.paddock.compat.auth.Acls.acl;
import static io.paddock.compat.auth.Acls.aclSet;
import static io.paddock.compat.auth.Acls.acls;
import static io.paddock.compat.auth.Acls.assertCode;
import static io.paddock.compat.auth.Acls.assertInvalidAcl;
import static io.paddock.compat.auth.Acls.assertNoAuth;
import static io.paddock.compat.auth.Acls.digestId;
import static io.paddock.compat.auth.Acls.whoAmI;
import static org.apache.zookeeper.ZooDefs.Ids.CREATOR_ALL_ACL;
import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.apache.zookeeper.ZooDefs.Ids.READ_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code digest} scheme end to end with the official client (WIRE-PROTOCOL.md §8; RELIABILITY.md §4): auth ids,
 * the {@code auth} expansion, NoAuth on every guarded operation, the super user, CVE-2019-0201 masking, aversion, ACL
 * validation and AuthFailed.
 */
class DigestAuthIT {
    static final String SUPER_CREDENTIALS = "super:admin";
    /** The same value the pom gives ZooKeeper as a system property (ZooKeeper reads it once per JVM). */
    static final String SUPER_DIGEST = "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=";
    private static final String ALICE = "alice:alice-secret";
    private static final String BOB = "bob:bob-secret";
    private static final byte[] DATA = "payload".getBytes(StandardCharsets.UTF_8);

    private static ServerUnderTest server;
    private static ZooKeeper alice;
    private static ZooKeeper bob;
    private static ZooKeeper anonymous;
    private static ZooKeeper superUser;

    /** Sessions a test opens for itself; closed after each test. */
    private final List<ZooKeeper> extra = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> cfg = ServerUnderTest.defaultConfig();
        cfg.put("DigestAuthenticationProvider.superDigest", SUPER_DIGEST);
        server = ServerUnderTest.start(cfg);
        alice = authenticated(ALICE);
        bob = authenticated(BOB);
        anonymous = Clients.connect(server.connectString());
        superUser = authenticated(SUPER_CREDENTIALS);
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(alice, bob, anonymous, superUser, server);
    }

    @AfterEach
    void closeExtra() {
        extra.forEach(Clients::closeQuietly);
    }

    private static ZooKeeper authenticated(String userPassword) throws Exception {
        ZooKeeper zk = Clients.connect(server.connectString());
        zk.addAuthInfo("digest", userPassword.getBytes(StandardCharsets.UTF_8));
        return zk;
    }

    private ZooKeeper session() throws Exception {
        ZooKeeper zk = Clients.connect(server.connectString());
        extra.add(zk);
        return zk;
    }

    @Test
    void theDigestIdIsUserColonBase64OfSha1AsZooKeeperComputesIt() throws Exception {
        assertEquals(DigestAuthenticationProvider.generateDigest(ALICE), digestId(ALICE), "the test's own hashing");
        assertEquals(SUPER_DIGEST, digestId(SUPER_CREDENTIALS));
        alice.create("/digest-creator", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);

        Stat stat = new Stat();
        assertEquals(List.of(acl(Perms.ALL, "digest", digestId(ALICE))), alice.getACL("/digest-creator", stat),
                "CREATOR_ALL_ACL expands to the creator's digest id (the ip id is not authenticated)");
        assertEquals(0, stat.getAversion());
        assertArrayEquals(DATA, alice.getData("/digest-creator", false, null));
    }

    @Test
    void anotherSessionGetsNoAuthOnEveryGuardedOperation() throws Exception {
        alice.create("/digest-guard", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        alice.create("/digest-guard/child", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        for (ZooKeeper other : List.of(anonymous, bob)) {
            assertNoAuth(() -> other.getData("/digest-guard", false, null));
            assertNoAuth(() -> other.setData("/digest-guard", DATA, -1));
            assertNoAuth(() -> other.getChildren("/digest-guard", false));
            assertNoAuth(() -> other.getChildren("/digest-guard", false, new Stat()));
            assertNoAuth(() -> other.create("/digest-guard/new", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertNoAuth(() -> other.delete("/digest-guard/child", -1));
            assertNoAuth(() -> other.setACL("/digest-guard", OPEN_ACL_UNSAFE, -1));
            assertNoAuth(() -> other.getACL("/digest-guard", new Stat()));
            assertNoAuth(() -> other.exists("/digest-guard", false));
            assertNoAuth(() -> other.getAllChildrenNumber("/digest-guard"));
            assertNoAuth(() -> other.multi(List.of(Op.setData("/digest-guard", DATA, -1))));
            // ACLs are not inherited: the open child stays open
            assertArrayEquals(DATA, other.getData("/digest-guard/child", false, null));
            // no node, no ACL to check
            assertNull(other.exists("/digest-guard/missing", false));
        }
        assertArrayEquals(DATA, alice.getData("/digest-guard", false, null));
        assertEquals(List.of("child"), alice.getChildren("/digest-guard", false));
    }

    @Test
    void theSameCredentialsInAnotherSessionAreTheSameIdentity() throws Exception {
        alice.create("/digest-same", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        ZooKeeper again = session();
        again.addAuthInfo("digest", ALICE.getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(DATA, again.getData("/digest-same", false, null));

        ZooKeeper wrongPassword = session();
        wrongPassword.addAuthInfo("digest", "alice:not-her-password".getBytes(StandardCharsets.UTF_8));
        assertNoAuth(() -> wrongPassword.getData("/digest-same", false, null));
    }

    @Test
    void anExplicitDigestAclGrantsOnlyItsPermissions() throws Exception {
        anonymous.create("/digest-explicit", DATA, acls(acl(Perms.READ, "digest", digestId(BOB)),
                acl(Perms.ALL, "digest", digestId(ALICE))), CreateMode.PERSISTENT);
        assertArrayEquals(DATA, bob.getData("/digest-explicit", false, null));
        assertNoAuth(() -> bob.setData("/digest-explicit", DATA, -1));
        assertNoAuth(() -> anonymous.getData("/digest-explicit", false, null));
        alice.setData("/digest-explicit", DATA, -1);
    }

    @Test
    void aSessionWithTwoDigestIdsExpandsAuthToBoth() throws Exception {
        ZooKeeper both = session();
        both.addAuthInfo("digest", ALICE.getBytes(StandardCharsets.UTF_8));
        both.addAuthInfo("digest", BOB.getBytes(StandardCharsets.UTF_8));
        both.create("/digest-both", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);

        assertEquals(Set.of(acl(Perms.ALL, "digest", digestId(ALICE)), acl(Perms.ALL, "digest", digestId(BOB))),
                aclSet(both.getACL("/digest-both", new Stat())));
        assertArrayEquals(DATA, bob.getData("/digest-both", false, null));
        assertArrayEquals(DATA, alice.getData("/digest-both", false, null));
    }

    @Test
    void theSuperUserBypassesEveryAcl() throws Exception {
        alice.create("/digest-super", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        alice.create("/digest-super/child", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);

        assertArrayEquals(DATA, superUser.getData("/digest-super", false, null));
        assertNotNull(superUser.exists("/digest-super", false));
        superUser.setData("/digest-super", DATA, -1);
        assertEquals(List.of("child"), superUser.getChildren("/digest-super", false));
        superUser.create("/digest-super/by-super", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        superUser.delete("/digest-super/child", -1);
        assertEquals(List.of(acl(Perms.ALL, "digest", digestId(ALICE))), superUser.getACL("/digest-super", null),
                "super holds ADMIN everywhere: nothing is masked");
        superUser.setACL("/digest-super", READ_ACL_UNSAFE, -1);
        assertNoAuth(() -> alice.setData("/digest-super", DATA, -1));
        assertArrayEquals(DATA, anonymous.getData("/digest-super", false, null));
    }

    @Test
    void theSuperUsersCreatorAclHoldsItsDigestIdNotSuper() throws Exception {
        superUser.create("/digest-super-owned", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        assertEquals(List.of(acl(Perms.ALL, "digest", SUPER_DIGEST)), superUser.getACL("/digest-super-owned", null));
    }

    @Test
    void aWrongSuperPasswordIsJustAnotherDigestUser() throws Exception {
        alice.create("/digest-not-super", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        ZooKeeper impostor = session();
        impostor.addAuthInfo("digest", "super:guess".getBytes(StandardCharsets.UTF_8));
        assertNoAuth(() -> impostor.getData("/digest-not-super", false, null));
        assertEquals(Set.of("ip:127.0.0.1", "digest:super"), whoAmI(impostor));
    }

    @Test
    void getAclWithoutAdminMasksDigestHashes() throws Exception {
        // CVE-2019-0201: hashes are visible only to a caller with ADMIN
        List<ACL> stored = acls(acl(Perms.ALL, "digest", digestId(ALICE)), acl(Perms.READ, "digest", digestId(BOB)),
                acl(Perms.READ, "world", "anyone"));
        alice.create("/digest-mask", DATA, stored, CreateMode.PERSISTENT);

        List<ACL> masked = acls(acl(Perms.ALL, "digest", "alice:x"), acl(Perms.READ, "digest", "bob:x"),
                acl(Perms.READ, "world", "anyone"));
        assertEquals(masked, anonymous.getACL("/digest-mask", new Stat()));
        assertEquals(masked, bob.getACL("/digest-mask", new Stat()));
        assertEquals(stored, alice.getACL("/digest-mask", new Stat()));
    }

    @Test
    void getAclNeedsReadOrAdminAndAdminAloneSeesTheHashes() throws Exception {
        List<ACL> stored = acls(acl(Perms.ALL, "digest", digestId(ALICE)), acl(Perms.ADMIN, "digest", digestId(BOB)));
        alice.create("/digest-admin-only", DATA, stored, CreateMode.PERSISTENT);

        assertEquals(stored, bob.getACL("/digest-admin-only", new Stat()), "ADMIN without READ may read the ACL");
        assertNoAuth(() -> bob.getData("/digest-admin-only", false, null));
        assertNoAuth(() -> anonymous.getACL("/digest-admin-only", new Stat()));
    }

    @Test
    void setAclChecksAdminThenTheAclVersion() throws Exception {
        alice.create("/digest-aversion", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        List<ACL> next = acls(acl(Perms.ALL, "digest", digestId(ALICE)), acl(Perms.READ, "world", "anyone"));

        assertNoAuth(() -> bob.setACL("/digest-aversion", next, 7));
        Stat s1 = alice.setACL("/digest-aversion", next, 0);
        assertEquals(1, s1.getAversion());
        assertEquals(0, s1.getVersion(), "setACL does not touch the data version");
        assertCode(Code.BADVERSION, () -> alice.setACL("/digest-aversion", next, 0));
        assertEquals(2, alice.setACL("/digest-aversion", next, -1).getAversion());
        Stat read = new Stat();
        assertEquals(next, alice.getACL("/digest-aversion", read));
        assertEquals(2, read.getAversion());
        assertEquals(acls(acl(Perms.ALL, "digest", "alice:x"), acl(Perms.READ, "world", "anyone")),
                anonymous.getACL("/digest-aversion", new Stat()));
        assertArrayEquals(DATA, anonymous.getData("/digest-aversion", false, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "alice:", "a:b:c", "", ":"})
    void malformedDigestIdsAreInvalidAcls(String id) {
        assertInvalidAcl(() -> alice.create("/digest-invalid", DATA, acls(acl(Perms.ALL, "digest", id)),
                CreateMode.PERSISTENT));
    }

    @Test
    void unknownSchemesAndBadWorldIdsAreInvalidAcls() throws Exception {
        alice.create("/digest-setacl-invalid", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        for (ACL bad : List.of(acl(Perms.ALL, "nosuchscheme", "x"), acl(Perms.ALL, "super", ""),
                acl(Perms.ALL, "world", "someone"), acl(Perms.ALL, "sasl", "alice"))) {
            assertInvalidAcl(() -> alice.create("/digest-invalid", DATA, acls(bad), CreateMode.PERSISTENT));
            assertInvalidAcl(() -> alice.setACL("/digest-setacl-invalid", acls(bad), -1));
        }
        assertInvalidAcl(() -> alice.create("/digest-invalid", DATA, acls(), CreateMode.PERSISTENT));
        // the ACL is validated before the node is looked up or its ACL checked
        assertInvalidAcl(() -> alice.setACL("/digest-no-such-node", acls(acl(Perms.ALL, "nosuchscheme", "x")), -1));
        assertInvalidAcl(() -> bob.setACL("/digest-setacl-invalid", acls(acl(Perms.ALL, "nosuchscheme", "x")), -1));
        assertNull(alice.exists("/digest-invalid", false));
    }

    @Test
    void anAuthAclWithoutAnAuthenticatedIdIsInvalid() throws Exception {
        // the anonymous session holds only its ip id, which does not count as authenticated
        assertInvalidAcl(() -> anonymous.create("/digest-auth-none", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT));
        anonymous.create("/digest-auth-none", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertInvalidAcl(() -> anonymous.setACL("/digest-auth-none", CREATOR_ALL_ACL, -1));
        assertEquals(OPEN_ACL_UNSAFE, anonymous.getACL("/digest-auth-none", new Stat()));
    }

    /** The built-in world and auth schemes and the super id are not auth providers either. */
    @ParameterizedTest
    @ValueSource(strings = {"nosuchscheme", "world", "auth", "super", ""})
    void anUnknownSchemeFailsAuthAndEndsTheConnection(String scheme) throws Exception {
        EventRecorder events = new EventRecorder();
        ZooKeeper zk = Clients.connect(server.connectString(), events);
        extra.add(zk);
        zk.addAuthInfo(scheme, "anyone".getBytes(StandardCharsets.UTF_8));
        events.awaitState(KeeperState.AuthFailed);
        Clients.awaitCondition("the client reports AUTH_FAILED", () -> zk.getState() == ZooKeeper.States.AUTH_FAILED);
        KeeperException e = assertThrows(KeeperException.class, () -> zk.getData("/", false, null));
        assertEquals(Code.AUTHFAILED, e.code());
    }

    @Test
    void whoAmIListsTheIpAndDigestIdentities() throws Exception {
        assertEquals(Set.of("ip:127.0.0.1"), whoAmI(anonymous));
        assertEquals(Set.of("ip:127.0.0.1", "digest:alice"), whoAmI(alice));
        assertEquals(Set.of("ip:127.0.0.1", "digest:super", "super:"), whoAmI(superUser));

        ZooKeeper both = session();
        both.addAuthInfo("digest", ALICE.getBytes(StandardCharsets.UTF_8));
        both.addAuthInfo("digest", BOB.getBytes(StandardCharsets.UTF_8));
        both.addAuthInfo("digest", ALICE.getBytes(StandardCharsets.UTF_8));
        assertEquals(Set.of("ip:127.0.0.1", "digest:alice", "digest:bob"), whoAmI(both));
        assertEquals(3, both.whoAmI().size(), "the same id added twice is held once");
    }
}
