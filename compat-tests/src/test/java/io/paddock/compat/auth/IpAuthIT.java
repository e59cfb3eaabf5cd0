package io.paddock.compat.auth;

import static io.paddock.compat.auth.Acls.acl;
import static io.paddock.compat.auth.Acls.acls;
import static io.paddock.compat.auth.Acls.assertInvalidAcl;
import static io.paddock.compat.auth.Acls.assertNoAuth;
import static io.paddock.compat.auth.Acls.whoAmI;
import static org.apache.zookeeper.ZooDefs.Ids.CREATOR_ALL_ACL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.ServerUnderTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code ip} scheme (WIRE-PROTOCOL.md §8.3) over both loopbacks: one server bound to the IPv6 wildcard, which on
 * a dual-stack host accepts 127.0.0.1 and ::1 alike. Every session holds its remote address as an ip id; ACLs name
 * addresses or CIDR ranges, and IPv4 never matches IPv6. Where the host has no IPv6 loopback, the server binds
 * 127.0.0.1 and the IPv6 tests are skipped.
 */
class IpAuthIT {
    private static final byte[] DATA = "ip".getBytes(StandardCharsets.UTF_8);
    /** Java's getHostAddress form of ::1, which is what the server stores as the session's ip id. */
    private static final String LOOPBACK6 = "0:0:0:0:0:0:0:1";

    private static ServerUnderTest server;
    private static boolean ipv6;
    private static ZooKeeper v4;
    private static ZooKeeper v6;
    private static final AtomicInteger NODES = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        ipv6 = ipv6LoopbackWorks();
        Map<String, String> cfg = ServerUnderTest.defaultConfig();
        cfg.put("clientPortAddress", ipv6 ? "::" : "127.0.0.1");
        server = ServerUnderTest.start(cfg);
        v4 = Clients.connect("127.0.0.1:" + server.port());
        if (ipv6) {
            v6 = Clients.connect("[::1]:" + server.port());
        }
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(v4, v6, server);
    }

    /** Whether a socket bound to the IPv6 wildcard takes connections to both 127.0.0.1 and ::1 (dual stack). */
    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket probe = new ServerSocket(0, 2, InetAddress.getByName("::"))) {
            for (String loopback : new String[] {"127.0.0.1", "::1"}) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(loopback), probe.getLocalPort()), 2000);
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void assumeIpv6() {
        assumeTrue(ipv6, "this host has no dual-stack IPv6 loopback (binding :: and reaching it at ::1 and"
                + " 127.0.0.1 failed), so there is no IPv6 client to test with");
    }

    /** A fresh node readable and writable only by {@code acl}; the v4 session creates it with an open ACL first. */
    private static String nodeWith(List<ACL> acl) throws Exception {
        String path = "/ip-" + NODES.incrementAndGet();
        v4.create(path, DATA, acl, CreateMode.PERSISTENT);
        return path;
    }

    private static void assertAllowed(ZooKeeper zk, String path) throws Exception {
        assertArrayEquals(DATA, zk.getData(path, false, null), path);
    }

    private static void assertDenied(ZooKeeper zk, String path) {
        assertNoAuth(() -> zk.getData(path, false, null));
    }

    @Test
    void everySessionHoldsItsRemoteAddressAsAnIpId() throws Exception {
        assertEquals(Set.of("ip:127.0.0.1"), whoAmI(v4));
        if (ipv6) {
            assertEquals(Set.of("ip:" + LOOPBACK6), whoAmI(v6));
        }
    }

    @Test
    void anExplicitAddauthIpAddsTheSameIdAgain() throws Exception {
        ZooKeeper zk = Clients.connect("127.0.0.1:" + server.port());
        try {
            zk.addAuthInfo("ip", "10.9.8.7".getBytes(StandardCharsets.UTF_8));
            assertEquals(Set.of("ip:127.0.0.1"), whoAmI(zk), "the credentials do not choose the address");
            assertEquals(1, zk.whoAmI().size());
            String path = nodeWith(acls(acl(Perms.ALL, "ip", "127.0.0.1")));
            assertAllowed(zk, path);
        } finally {
            Clients.closeQuietly(zk);
        }
    }

    @Test
    void anIpv4AclAdmitsThatAddressOnly() throws Exception {
        String path = nodeWith(acls(acl(Perms.ALL, "ip", "127.0.0.1")));
        assertAllowed(v4, path);
        if (ipv6) {
            assertDenied(v6, path);
        }
        String other = nodeWith(acls(acl(Perms.ALL, "ip", "127.0.0.2")));
        assertDenied(v4, other);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", LOOPBACK6, "0000:0000:0000:0000:0000:0000:0000:0001", "::1/128", "::/127",
        "::/0"})
    void anIpv6AclAdmitsTheIpv6LoopbackButNeverAnIpv4Client(String expression) throws Exception {
        assumeIpv6();
        String path = nodeWith(acls(acl(Perms.ALL, "ip", expression)));
        assertAllowed(v6, path);
        assertDenied(v4, path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.0/8", "127.0.0.1/32", "127.0.0.0/31", "127.255.255.255/8", "0.0.0.0/0",
        "126.0.0.0/7"})
    void aCidrRangeThatHoldsTheAddressAdmitsIt(String expression) throws Exception {
        String path = nodeWith(acls(acl(Perms.ALL, "ip", expression)));
        assertAllowed(v4, path);
        if (ipv6) {
            assertDenied(v6, path);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8", "127.0.0.2/31", "128.0.0.0/1", "127.0.0.0/32", "::ffff:7f00:1",
        "::7f00:1"})
    void aRangeThatDoesNotHoldTheAddressDeniesIt(String expression) throws Exception {
        String path = nodeWith(acls(acl(Perms.ALL, "ip", expression)));
        assertDenied(v4, path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::2", "::/128", "fe80::/10", "0:0:0:0:0:0:0:2/127"})
    void anIpv6RangeThatDoesNotHoldTheLoopbackDeniesIt(String expression) throws Exception {
        assumeIpv6();
        String path = nodeWith(acls(acl(Perms.ALL, "ip", expression)));
        assertDenied(v6, path);
    }

    @Test
    void ipAclsCombineWithOtherEntriesPermissionByPermission() throws Exception {
        String path = nodeWith(acls(acl(Perms.READ, "ip", "127.0.0.1"), acl(Perms.ALL, "ip", "10.0.0.0/8")));
        assertAllowed(v4, path);
        assertNoAuth(() -> v4.setData(path, DATA, -1));
        assertNoAuth(() -> v4.setACL(path, acls(acl(Perms.ALL, "world", "anyone")), -1));
        // READ without ADMIN sees the ACL; only digest ids would be masked
        assertEquals(acls(acl(Perms.READ, "ip", "127.0.0.1"), acl(Perms.ALL, "ip", "10.0.0.0/8")),
                v4.getACL(path, new Stat()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "1.2.3.4/-1", "1.2.3.4/", "1.2.3.4/x", "1.2.3", "1.2.3.4.5", "256.1.1.1",
        "localhost", "example.com", "", "::1/129", "1::2::3", "12345::1", "::ffff:127.0.0.1", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9", "fe80::1%lo"})
    void malformedIpExpressionsAreInvalidAcls(String expression) {
        assertInvalidAcl(() -> v4.create("/ip-invalid", DATA, acls(acl(Perms.ALL, "ip", expression)),
                CreateMode.PERSISTENT));
    }

    @Test
    void ipIdsDoNotCountAsAuthenticatedForAuthAcls() {
        assertInvalidAcl(() -> v4.create("/ip-auth", DATA, CREATOR_ALL_ACL, CreateMode.PERSISTENT));
    }
}
