package io.paddock.compat.auth;

import static io.paddock.compat.auth.Acls.acl;
import static io.paddock.compat.auth.Acls.acls;
import static io.paddock.compat.auth.Acls.assertInvalidAcl;
import static io.paddock.compat.auth.Acls.assertNoAuth;
import static io.paddock.compat.auth.Acls.whoAmI;
import static org.apache.zookeeper.ZooDefs.Ids.CREATOR_ALL_ACL;
import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A custom ACL scheme installed by dropping a jar into the plugins folder, as the README's "Write your own auth
 * scheme" describes: examples/auth-token, configured with {@code auth.token.tokens}, driven by the official client's
 * {@code addAuthInfo("token", ...)}. Against ZooKeeper the same scheme is a registered provider
 * ({@link ZooKeeperTokenProvider}), so both servers answer the same calls.
 */
class TokenPluginIT {
    private static final String DEPLOYER_TOKEN = "tok-deploy-7f3a";
    private static final String READER_TOKEN = "tok-read-91c2";
    private static final byte[] DATA = "token".getBytes(StandardCharsets.UTF_8);

    private static TokenPluginServer server;
    private static ZooKeeper deployer;
    private static ZooKeeper reader;
    private static ZooKeeper anonymous;

    @BeforeAll
    static void start() throws Exception {
        server = TokenPluginServer.start("deployer:" + DEPLOYER_TOKEN + ",reader:" + READER_TOKEN);
        deployer = withToken(DEPLOYER_TOKEN);
        reader = withToken(READER_TOKEN);
        anonymous = Clients.connect(server.connectString());
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(deployer, reader, anonymous, server);
    }

    private static ZooKeeper withToken(String token) throws Exception {
        ZooKeeper zk = Clients.connect(server.connectString());
        zk.addAuthInfo("token", token.getBytes(StandardCharsets.UTF_8));
        return zk;
    }

    @Test
    void theSchemeIsLoadedFromThePluginsFolderOnly() throws Exception {
        assumeTrue("paddock".equals(ServerUnderTest.selected()), "the plugins folder is Paddock's");
        assertNull(getClass().getClassLoader().getResource("io/paddock/example/auth/token/TokenAuthProvider.class"),
                "the example must not be on the test class path");
        assertFalse(server.layerModules().contains(TokenPluginServer.EXAMPLE_MODULE),
                "the example must not be among the installed modules: " + server.layerModules());
        assertTrue(server.layerModules().contains("io.paddock.distro"), server.layerModules().toString());
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty(TokenPluginServer.PLUGIN_DIR_PROPERTY)))) {
            assertEquals(List.of("paddock-example-auth-token"), jars.map(p -> p.getFileName().toString())
                    .map(n -> n.replaceAll("-[0-9][^-]*(-SNAPSHOT)?\\.jar$", "")).toList());
        }
    }

    @Test
    void aConfiguredTokenAuthenticatesAsItsName() throws Exception {
        assertEquals(Set.of("ip:127.0.0.1", "token:deployer"), whoAmI(deployer));
        assertEquals(Set.of("ip:127.0.0.1", "token:reader"), whoAmI(reader));
    }

    @Test
    void creatorAllAclExpandsToTheTokenIdAndShutsOthersOut() throws Exception {
        deployer.create("/token-owned", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        assertEquals(acls(acl(Perms.ALL, "token", "deployer")), deployer.getACL("/token-owned", new Stat()));
        assertArrayEquals(DATA, deployer.getData("/token-owned", false, null));

        for (ZooKeeper other : List.of(anonymous, reader)) {
            assertNoAuth(() -> other.getData("/token-owned", false, null));
            assertNoAuth(() -> other.setData("/token-owned", DATA, -1));
            assertNoAuth(() -> other.create("/token-owned/child", DATA, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        }
    }

    @Test
    void anExplicitTokenAclGrantsItsPermissionsByName() throws Exception {
        deployer.create("/token-shared", DATA, acls(acl(Perms.ALL, "token", "deployer"),
                acl(Perms.READ, "token", "reader")), CreateMode.PERSISTENT);
        assertArrayEquals(DATA, reader.getData("/token-shared", false, null));
        assertNoAuth(() -> reader.setData("/token-shared", DATA, -1));
        assertNoAuth(() -> anonymous.getData("/token-shared", false, null));
        deployer.setData("/token-shared", DATA, -1);
    }

    @Test
    void anAclMayNameATokenThatIsNotConfiguredButNotAMalformedName() throws Exception {
        deployer.create("/token-future", DATA, acls(acl(Perms.ALL, "token", "later")), CreateMode.PERSISTENT);
        assertNoAuth(() -> deployer.getData("/token-future", false, null));
        for (String bad : List.of("", "two words", "deployer:" + DEPLOYER_TOKEN, "x".repeat(65))) {
            assertInvalidAcl(() -> deployer.create("/token-bad", DATA, acls(acl(Perms.ALL, "token", bad)),
                    CreateMode.PERSISTENT));
        }
    }

    @Test
    void aWrongTokenFailsAuthAndEndsTheConnection() throws Exception {
        EventRecorder events = new EventRecorder();
        ZooKeeper zk = Clients.connect(server.connectString(), events);
        try {
            zk.addAuthInfo("token", "not-a-token".getBytes(StandardCharsets.UTF_8));
            events.awaitState(KeeperState.AuthFailed);
            Clients.awaitCondition("the client reports AUTH_FAILED",
                    () -> zk.getState() == ZooKeeper.States.AUTH_FAILED);
            KeeperException e = assertThrows(KeeperException.class, () -> zk.exists("/", false));
            assertEquals(KeeperException.Code.AUTHFAILED, e.code());
        } finally {
            zk.close();
        }
    }
}
