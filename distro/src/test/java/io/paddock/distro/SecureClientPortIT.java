package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secureClientPort} from zoo.cfg to the wire: Paddock started as the launcher starts it, the official ZooKeeper
 * client over TLS (its Netty socket) as the oracle. The server and the client each have a self-signed certificate
 * that the other trusts; ZooKeeper's default {@code ssl.clientAuth=need} stays on, so the client proves itself too.
 * Certificates are made once per class.
 */
@Timeout(60)
class SecureClientPortIT {

    private static final String PASSWORD = "paddock-it";
    private static final long CONNECT_WAIT_MS = 20_000;

    @TempDir
    static Path certificates;
    private static Path serverKeys;
    private static Path serverTrust;
    private static Path clientKeys;
    private static Path clientTrust;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeCertificates() throws Exception {
        // The client checks the server by the name its connect string resolves to: with Netty 4.2 that is the
        // reverse-DNS name of 127.0.0.1 (localhost) as well as the address itself.
        TestKeyStores.Identity server = TestKeyStores.selfSigned("paddock-it-server", List.of("127.0.0.1"),
                List.of("localhost"));
        // The server checks a client certificate against the client's address (ssl.hostnameVerification).
        TestKeyStores.Identity client = TestKeyStores.selfSigned("paddock-it-client", List.of("127.0.0.1"),
                List.of());
        serverKeys = server.writeKeyStore(certificates.resolve("server.p12"), PASSWORD);
        clientKeys = client.writeKeyStore(certificates.resolve("client.p12"), PASSWORD);
        serverTrust = TestKeyStores.writeTrustStore(certificates.resolve("server-trust.p12"), PASSWORD,
                client.certificate());
        clientTrust = TestKeyStores.writeTrustStore(certificates.resolve("client-trust.p12"), PASSWORD,
                server.certificate());
    }

    private Map<String, String> cfg(String... pairs) {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("dataDir", tmp.resolve("data").toString());
        cfg.put("forceSync", "no");
        cfg.put("4lw.commands.whitelist", "ruok,conf");
        for (int i = 0; i < pairs.length; i += 2) {
            cfg.put(pairs[i], pairs[i + 1]);
        }
        return cfg;
    }

    @Test
    void officialClientWritesOverTlsBesideThePlainPortAndConfShowsBothPorts() throws Exception {
        // a relative location is read from the working folder, as ZooKeeper reads it
        String relativeKeys = Path.of("").toAbsolutePath().relativize(serverKeys).toString();
        assertTrue(!Path.of(relativeKeys).isAbsolute(), relativeKeys);
        try (Paddock paddock = Paddock.start(cfg(
                "serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory",
                "clientPort", "0", "clientPortAddress", "127.0.0.1", "secureClientPort", "0",
                "ssl.keyStore.location", relativeKeys, "ssl.keyStore.password", PASSWORD,
                "ssl.trustStore.location", serverTrust.toString(), "ssl.trustStore.password", PASSWORD))) {
            InetSocketAddress plain = paddock.clientAddress();
            InetSocketAddress secure = paddock.secureClientAddress().orElseThrow();
            assertNotEquals(0, secure.getPort());
            assertNotEquals(plain.getPort(), secure.getPort());
            assertTrue(secure.getAddress().isLoopbackAddress(), "secureClientPortAddress defaults to "
                    + "clientPortAddress: " + secure);

            try (ZooKeeper overTls = connect(secure, tlsClient());
                    ZooKeeper inTheClear = connect(plain, new ZKClientConfig())) {
                overTls.create("/tls", bytes("over tls"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                assertArrayEquals(bytes("over tls"), overTls.getData("/tls", false, null));
                assertArrayEquals(bytes("over tls"), inTheClear.getData("/tls", false, null));
                inTheClear.setData("/tls", bytes("back"), -1);
                assertArrayEquals(bytes("back"), overTls.getData("/tls", false, null));
            }

            String conf = fourLetterWord(plain, "conf");
            assertTrue(conf.startsWith("clientPort=" + plain.getPort() + "\nsecureClientPort=" + secure.getPort()
                    + "\n"), conf);
        }
    }

    @Test
    void aSecurePortAloneServesTlsClientsWithoutAPlainPort() throws Exception {
        Path passwordFile = tmp.resolve("keystore-password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        try (Paddock paddock = Paddock.start(cfg("transport", "netty",
                "secureClientPort", "0", "secureClientPortAddress", "127.0.0.1",
                "zookeeper.ssl.keyStore.location", serverKeys.toString(),
                "zookeeper.ssl.keyStore.passwordPath", passwordFile.toString(),
                "zookeeper.ssl.trustStore.location", serverTrust.toString(),
                "zookeeper.ssl.trustStore.password", PASSWORD))) {
            IllegalStateException noPlain = assertThrows(IllegalStateException.class, paddock::clientAddress);
            assertTrue(noPlain.getMessage().contains("secureClientPort"), noPlain.getMessage());
            InetSocketAddress secure = paddock.secureClientAddress().orElseThrow();
            try (ZooKeeper overTls = connect(secure, tlsClient())) {
                overTls.create("/only-tls", bytes("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                assertArrayEquals(bytes("x"), overTls.getData("/only-tls", false, null));
            }
        }
    }

    @Test
    void aSecurePortWithATransportWithoutTlsIsAConfigErrorNamingTheTransport() {
        ConfigException e = assertThrows(ConfigException.class, () -> Paddock.start(cfg("transport", "nio",
                "clientPort", "0", "clientPortAddress", "127.0.0.1", "secureClientPort", "0",
                "ssl.keyStore.location", serverKeys.toString(), "ssl.keyStore.password", PASSWORD)));
        assertTrue(e.getMessage().contains("transport=nio") && e.getMessage().contains("transport=netty"),
                e.getMessage());
        awaitNoThread("paddock-nio");
    }

    @Test
    void aWrongKeyStorePasswordStopsStartUpNamingTheKeyAndTheFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> Paddock.start(cfg("transport", "netty",
                "clientPort", "0", "clientPortAddress", "127.0.0.1", "secureClientPort", "0",
                "ssl.keyStore.location", serverKeys.toString(), "ssl.keyStore.password", "not-the-password")));
        assertTrue(e.getMessage().contains("ssl.keyStore.password"), e.getMessage());
        assertTrue(e.getMessage().contains(serverKeys.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("not-the-password"), "never print a password: " + e.getMessage());
        awaitNoThread("paddock-netty");
    }

    @Test
    void aMissingKeyStoreFileStopsStartUpNamingTheFile() {
        Path missing = tmp.resolve("missing.p12");
        ConfigException e = assertThrows(ConfigException.class, () -> Paddock.start(cfg("transport", "netty",
                "secureClientPort", "0", "secureClientPortAddress", "127.0.0.1",
                "ssl.keyStore.location", missing.toString(), "ssl.keyStore.password", PASSWORD)));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("ssl.keyStore.location"),
                e.getMessage());
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** The official client's TLS settings, per connection rather than in global system properties. */
    private static ZKClientConfig tlsClient() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET,
                "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty("zookeeper.ssl.trustStore.location", clientTrust.toString());
        config.setProperty("zookeeper.ssl.trustStore.password", PASSWORD);
        config.setProperty("zookeeper.ssl.trustStore.type", "PKCS12");
        config.setProperty("zookeeper.ssl.keyStore.location", clientKeys.toString());
        config.setProperty("zookeeper.ssl.keyStore.password", PASSWORD);
        config.setProperty("zookeeper.ssl.keyStore.type", "PKCS12");
        return config;
    }

    private static ZooKeeper connect(InetSocketAddress address, ZKClientConfig config) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + address.getPort(), 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config);
        if (!connected.await(CONNECT_WAIT_MS, TimeUnit.MILLISECONDS)) {
            zk.close();
            fail("no session over " + address + " within " + CONNECT_WAIT_MS + " ms");
        }
        return zk;
    }

    private static String fourLetterWord(InetSocketAddress address, String word) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** A failed start leaves no transport thread behind. */
    private static void awaitNoThread(String prefix) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith(prefix))) {
            if (System.nanoTime() > deadline) {
                fail("a " + prefix + " thread is still running after a failed start");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
