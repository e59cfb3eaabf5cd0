package io.paddock.compat.auth;

import static io.paddock.compat.auth.Acls.acl;
import static io.paddock.compat.auth.Acls.acls;
import static io.paddock.compat.auth.Acls.assertNoAuth;
import static io.paddock.compat.auth.Acls.digestId;
import static org.apache.zookeeper.ZooDefs.Ids.CREATOR_ALL_ACL;
import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ACL checks around the edges, with digest users: multi and multiRead, watch delivery filtered by READ
 * (CVE-2024-23944), the operations ZooKeeper does not check, masking when ADMIN comes from another scheme, and how the
 * {@code auth} expansion meets an explicit entry.
 */
class AclSemanticsIT {
    private static final String ALICE = "alice:alice-secret";
    private static final byte[] DATA = "acl".getBytes(StandardCharsets.UTF_8);

    private static ServerUnderTest server;
    private static ZooKeeper alice;
    private static EventRecorder anonymousEvents;
    private static ZooKeeper anonymous;

    @BeforeAll
    static void start() throws Exception {
        server = ServerUnderTest.start();
        alice = Clients.connect(server.connectString());
        alice.addAuthInfo("digest", ALICE.getBytes(StandardCharsets.UTF_8));
        anonymousEvents = new EventRecorder();
        anonymous = Clients.connect(server.connectString(), anonymousEvents);
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(alice, anonymous, server);
    }

    private static List<Integer> codes(List<OpResult> results) {
        List<Integer> out = new ArrayList<>();
        for (OpResult r : results) {
            out.add(r instanceof OpResult.ErrorResult ? ((OpResult.ErrorResult) r).getErr() : 0);
        }
        return out;
    }

    @Test
    void aMultiFailsWholeOnTheFirstSubOpWithoutPermission() throws Exception {
        alice.create("/acl-multi", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        anonymous.create("/acl-multi-open", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        KeeperException e = assertThrows(KeeperException.class, () -> anonymous.multi(List.of(
                Op.setData("/acl-multi-open", DATA, -1), Op.setData("/acl-multi", DATA, -1),
                Op.create("/acl-multi-open/c", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))));
        assertEquals(Code.NOAUTH, e.code());
        assertEquals(List.of(Code.OK.intValue(), Code.NOAUTH.intValue(), Code.RUNTIMEINCONSISTENCY.intValue()),
                codes(e.getResults()));
        assertEquals(0, anonymous.exists("/acl-multi-open", false).getVersion(), "nothing applied");

        KeeperException check = assertThrows(KeeperException.class,
                () -> anonymous.multi(List.of(Op.check("/acl-multi", 0))));
        assertEquals(Code.NOAUTH, check.code(), "check needs READ");
    }

    @Test
    void aMultiWithAnInvalidAclFailsWithInvalidAcl() throws Exception {
        KeeperException e = assertThrows(KeeperException.class, () -> alice.multi(List.of(
                Op.create("/acl-multi-ok", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/acl-multi-bad", DATA, acls(acl(Perms.ALL, "digest", "no-colon")),
                        CreateMode.PERSISTENT))));
        assertEquals(Code.INVALIDACL, e.code());
        assertEquals(List.of(Code.OK.intValue(), Code.INVALIDACL.intValue()), codes(e.getResults()));
        assertEquals(null, alice.exists("/acl-multi-ok", false));
    }

    @Test
    void multiReadAnswersNoAuthPerSubOp() throws Exception {
        alice.create("/acl-multiread", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        List<OpResult> results = anonymous.multi(List.of(Op.getData("/acl-multiread"), Op.getData("/"),
                Op.getChildren("/acl-multiread")));
        assertEquals(List.of(Code.NOAUTH.intValue(), 0, Code.NOAUTH.intValue()), codes(results));
        assertInstanceOf(OpResult.GetDataResult.class, results.get(1));
    }

    @Test
    void syncAndAddWatchAreNotAclChecked() throws Exception {
        alice.create("/acl-unchecked", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        ZooKeeper zk = Clients.connect(server.connectString());
        try {
            zk.sync("/acl-unchecked");
            zk.addWatch("/acl-unchecked", AddWatchMode.PERSISTENT);
            zk.removeAllWatches("/acl-unchecked", WatcherType.Any, false);
        } finally {
            zk.close();
        }
    }

    @Test
    void watchEventsForNodesTheSessionCannotReadAreNotDelivered() throws Exception {
        anonymous.create("/acl-watch", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        anonymous.addWatch("/acl-watch", AddWatchMode.PERSISTENT_RECURSIVE);
        assertEquals(null, anonymous.exists("/acl-watch/secret-exists", true));

        alice.create("/acl-watch/secret", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        alice.create("/acl-watch/secret-exists", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        alice.setData("/acl-watch/secret", DATA, -1);
        alice.delete("/acl-watch/secret", -1);
        alice.create("/acl-watch/open", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        anonymousEvents.expect(EventType.NodeCreated, "/acl-watch/open");
        Clients.fence(anonymous);
        anonymousEvents.assertNoNodeEvent();
    }

    @Test
    void adminThroughAnotherSchemeSeesDigestHashesUnmasked() throws Exception {
        List<ACL> stored = acls(acl(Perms.ALL, "digest", digestId(ALICE)), acl(Perms.ADMIN, "ip", "127.0.0.1"));
        alice.create("/acl-ip-admin", DATA, stored, CreateMode.PERSISTENT);
        assertEquals(stored, anonymous.getACL("/acl-ip-admin", new Stat()));
        assertNoAuth(() -> anonymous.getData("/acl-ip-admin", false, null));
        // ADMIN is what setACL needs, so the ip-admin may hand itself READ
        anonymous.setACL("/acl-ip-admin", acls(acl(Perms.READ | Perms.ADMIN, "ip", "127.0.0.1")), -1);
        assertArrayEquals(DATA, anonymous.getData("/acl-ip-admin", false, null));
    }

    @Test
    void anAuthEntryAfterTheSameExplicitEntryIsStoredTwice() throws Exception {
        ACL explicit = acl(Perms.ALL, "digest", digestId(ALICE));
        alice.create("/acl-auth-after", DATA, acls(acl(Perms.ALL, "auth", ""), explicit), CreateMode.PERSISTENT);
        assertEquals(List.of(explicit, explicit), alice.getACL("/acl-auth-after", new Stat()),
                "ZooKeeper removes duplicates before expanding auth, not after");
    }

    @Test
    void anAuthEntryBeforeTheSameExplicitEntryIsStoredTwice() throws Exception {
        ACL explicit = acl(Perms.ALL, "digest", digestId(ALICE));
        alice.create("/acl-auth-before", DATA, acls(explicit, acl(Perms.ALL, "auth", "")), CreateMode.PERSISTENT);
        assertEquals(List.of(explicit, explicit), alice.getACL("/acl-auth-before", new Stat()));
    }
}
