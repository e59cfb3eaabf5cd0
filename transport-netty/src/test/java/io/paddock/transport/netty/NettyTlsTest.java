package io.paddock.transport.netty;

import static io.paddock.transport.testkit.TransportTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.testkit.TransportTestSupport.WAIT;
import static io.paddock.transport.testkit.TransportTestSupport.await;
import static io.paddock.transport.netty.NettyTestSupport.config;
import static io.paddock.transport.testkit.TransportTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.ConfigFiles;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.api.transport.TransportProvider;
import io.paddock.server.ServerConfig;
import io.paddock.server.StandaloneReplicator;
import io.paddock.server.ZkServer;
import io.paddock.transport.testkit.TransportTestSupport;
import io.paddock.transport.testkit.TransportTestSupport.Client;
import io.paddock.transport.testkit.TransportTestSupport.RecordingHandler;
import io.paddock.transport.netty.internal.NettyTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure client port. Self-signed certificates are made once per class: the server's (127.0.0.1 and localhost), a
 * client's naming 127.0.0.1, and a stranger's naming another address.
 */
@Timeout(30)
@ExtendWith(NettyLeaks.class)
class NettyTlsTest {
    private static final Duration SESSION_WAIT = Duration.ofSeconds(30);


    private static final String PASSWORD = "paddock-test";

    @TempDir
    static Path dir;
    private static Path serverKeys;
    private static Path clientTrust;
    private static Path clientKeys;
    private static Path strangerKeys;
    private static Path serverTrustJks;
    private static Path serverTrustPem;
    private static Path serverPemKeys;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        // The ZooKeeper client on Netty 4.2 also checks the name it got for 127.0.0.1 by reverse DNS: localhost.
        TestCertificates.Identity server = TestCertificates.selfSigned("paddock-test-server", List.of("127.0.0.1"),
                List.of("localhost"));
        TestCertificates.Identity client = TestCertificates.selfSigned("paddock-test-client", List.of("127.0.0.1"),
                List.of());
        TestCertificates.Identity stranger = TestCertificates.selfSigned("paddock-test-stranger",
                List.of("10.1.2.3"), List.of());
        serverKeys = server.writeKeyStore(dir.resolve("server.p12"), PASSWORD);
        serverPemKeys = server.writePemKeyStore(dir.resolve("server-keys.pem"));
        clientKeys = client.writeKeyStore(dir.resolve("client.p12"), PASSWORD);
        strangerKeys = stranger.writeKeyStore(dir.resolve("stranger.p12"), PASSWORD);
        clientTrust = trustStore("client-trust.p12", "PKCS12", server.certificate());
        serverTrustJks = trustStore("server-trust.jks", "JKS", client.certificate(), stranger.certificate());
        serverTrustPem = dir.resolve("server-trust.pem");
        Files.writeString(serverTrustPem, client.pem() + stranger.pem());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ---- the official client --------------------------------------------------------------------------------------

    @Test
    void officialNettyClientTalksToTheRealServerOverTlsBesideThePlainPort() throws Exception {
        NettyTransport transport = tlsTransport(Map.of("ssl.clientAuth", "none"));
        ZkServer server = new ZkServer(ServerConfig.defaults(), System::currentTimeMillis, System::nanoTime,
                List.of());
        toClose.add(server);
        StandaloneReplicator replicator = new StandaloneReplicator(server.stateMachine(), 1_000);
        toClose.add(replicator);
        server.start(replicator);
        replicator.start();
        ClientListener plain = transport.listenForClients(LOOPBACK_ANY_PORT, 0, 0, server.connectionHandler());
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0,
                server.connectionHandler());
        server.clientListenerBound(plain);

        ZKClientConfig tls = new ZKClientConfig();
        tls.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        tls.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        tls.setProperty("zookeeper.ssl.trustStore.location", clientTrust.toString());
        tls.setProperty("zookeeper.ssl.trustStore.password", PASSWORD);
        tls.setProperty("zookeeper.ssl.trustStore.type", "PKCS12");
        // hostname verification stays on (the default): the server certificate names 127.0.0.1
        try (ZooKeeper secureClient = connect(secure.localAddress(), tls);
                ZooKeeper plainClient = connect(plain.localAddress(), new ZKClientConfig())) {
            secureClient.create("/tls", "over tls".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            assertArrayEquals("over tls".getBytes(StandardCharsets.UTF_8), plainClient.getData("/tls", false, null));
            plainClient.setData("/tls", "back".getBytes(StandardCharsets.UTF_8), -1);
            assertArrayEquals("back".getBytes(StandardCharsets.UTF_8), secureClient.getData("/tls", false, null));
            assertEquals(1, secure.connectionCount());
        }
    }

    private ZooKeeper connect(InetSocketAddress address, ZKClientConfig config) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + address.getPort(), 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config);
        // The official client's start-up plus a TLS handshake: generous, as the build machine may be loaded.
        if (!connected.await(SESSION_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            zk.close();
            fail("no session over " + address + " within " + SESSION_WAIT);
        }
        return zk;
    }

    // ---- client certificates --------------------------------------------------------------------------------------

    @Test
    void byDefaultAClientCertificateIsRequiredAndMustNameTheClientsAddress() throws Exception {
        RecordingHandler handler = answeringRuok();
        NettyTransport transport = tlsTransport(Map.of(
                "ssl.trustStore.location", serverTrustJks.toString(), "ssl.trustStore.password", PASSWORD));
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, handler);

        assertEquals("imok", fourLetterWordOverTls(secure.localAddress(), clientKeys));
        assertRefused(secure.localAddress(), null); // no certificate
        assertRefused(secure.localAddress(), strangerKeys); // trusted, but it names 10.1.2.3
        handler.assertContractKept();
    }

    @Test
    void wantTakesClientsWithoutACertificateAndChecksThoseWithOne() throws Exception {
        RecordingHandler handler = answeringRuok();
        NettyTransport transport = tlsTransport(Map.of("ssl.clientAuth", "want",
                "ssl.trustStore.location", serverTrustPem.toString()));
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, handler);

        assertEquals("imok", fourLetterWordOverTls(secure.localAddress(), null));
        assertEquals("imok", fourLetterWordOverTls(secure.localAddress(), clientKeys));
        assertRefused(secure.localAddress(), strangerKeys);
    }

    @Test
    void pemKeyStoresAndPasswordFilesWorkAsInZooKeeper() throws Exception {
        Path passwordFile = dir.resolve("trust-password.txt");
        Files.writeString(passwordFile, PASSWORD + "\n");
        NettyTransport transport = new NettyTransport(config(2, 1 << 20, 5_000, Map.of(
                "ssl.keyStore.location", serverPemKeys.toString(),
                "ssl.trustStore.location", serverTrustJks.toString(),
                "ssl.trustStore.passwordPath", passwordFile.toString())), System::nanoTime, NettyTlsTest::open);
        toClose.add(transport);
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, answeringRuok());
        assertEquals("imok", fourLetterWordOverTls(secure.localAddress(), clientKeys));
    }

    @Test
    void clientAddressCheckCanBeTurnedOff() throws Exception {
        NettyTransport transport = tlsTransport(Map.of("ssl.trustStore.location", serverTrustJks.toString(),
                "ssl.trustStore.password", PASSWORD, "ssl.clientHostnameVerification", "false"));
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, answeringRuok());
        assertEquals("imok", fourLetterWordOverTls(secure.localAddress(), strangerKeys));
    }

    // ---- the port itself ------------------------------------------------------------------------------------------

    @Test
    void framesAndLimitsWorkInsideTls() throws Exception {
        RecordingHandler handler = new RecordingHandler().echoing();
        NettyTransport transport = tlsTransport(Map.of("ssl.clientAuth", "none"));
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, handler);
        try (SSLSocket socket = tlsSocket(secure.localAddress(), null)) {
            OutputStream out = socket.getOutputStream();
            out.write(TransportTestSupport.frame("hello"));
            out.write(TransportTestSupport.frame("x".repeat(TransportTestSupport.MAX_FRAME_BYTES)));
            out.flush();
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            assertEquals("hello", readFrame(in));
            assertEquals(TransportTestSupport.MAX_FRAME_BYTES, readFrame(in).length());
            out.write(java.nio.ByteBuffer.allocate(4).putInt(TransportTestSupport.MAX_FRAME_BYTES + 1).array());
            out.flush();
            assertEquals(-1, readQuietly(in), "closed on a too long frame");
        }
        take(handler.closed, "connectionClosed");
        handler.assertContractKept();
    }

    @Test
    void plainTextOnTheSecurePortIsDroppedWithoutAnAnswer() throws Exception {
        RecordingHandler handler = answeringRuok();
        NettyTransport transport = tlsTransport(Map.of("ssl.clientAuth", "none"));
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, handler);
        try (Client client = new Client(secure.localAddress())) {
            client.writeFrame("a ConnectRequest in the clear"); // not a TLS record: the TLS layer gives up at once
            client.expectClosedWithoutOutput();
        }
        take(handler.closed, "connectionClosed");
        assertTrue(handler.frames.isEmpty());
    }

    @Test
    void aSilentClientIsClosedAtTheHandshakeTimeoutEvenBeforeTls() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        Map<String, String> extra = new HashMap<>(tlsKeys());
        extra.put("ssl.clientAuth", "none");
        NettyTransport transport = new NettyTransport(config(2, 1 << 20, 300, extra), System::nanoTime,
                NettyTlsTest::open);
        toClose.add(transport);
        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, handler);
        try (Client silent = new Client(secure.localAddress())) {
            silent.expectClosedWithoutOutput();
        }
        take(handler.closed, "connectionClosed");
    }

    // ---- configuration errors -------------------------------------------------------------------------------------

    @Test
    void aWrongKeyStorePasswordFailsAtCreationAndNamesTheFile() {
        Map<String, String> extra = new HashMap<>(tlsKeys());
        extra.put("ssl.keyStore.password", "not-the-password");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NettyTransport(config(1, 4096, 5_000, extra), System::nanoTime, NettyTlsTest::open));
        assertTrue(e.getMessage().contains(serverKeys.toString()) && e.getMessage().contains("password"),
                e.getMessage());
        assertNoTransportThreads();
    }

    @Test
    void aMissingOrUnreadableKeyStoreNamesTheFile() throws Exception {
        Path missing = dir.resolve("missing.p12");
        IllegalArgumentException gone = assertThrows(IllegalArgumentException.class, () -> new NettyTransport(
                config(1, 4096, 5_000, Map.of("ssl.keyStore.location", missing.toString())), System::nanoTime,
                NettyTlsTest::open));
        assertTrue(gone.getMessage().contains(missing.toString()), gone.getMessage());

        Path garbage = dir.resolve("garbage.p12");
        Files.writeString(garbage, "not a key store");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new NettyTransport(
                config(1, 4096, 5_000, Map.of("ssl.keyStore.location", garbage.toString(),
                        "ssl.keyStore.password", PASSWORD)), System::nanoTime, NettyTlsTest::open));
        assertTrue(bad.getMessage().contains(garbage.toString()), bad.getMessage());

        IllegalArgumentException nameless = assertThrows(IllegalArgumentException.class, () -> new NettyTransport(
                config(1, 4096, 5_000, Map.of("ssl.keyStore.location", dir.resolve("keys").toString())),
                System::nanoTime, NettyTlsTest::open));
        assertTrue(nameless.getMessage().contains("ssl.keyStore.type"), nameless.getMessage());
        assertNoTransportThreads();
    }

    @Test
    void unsupportedProtocolsFailAtCreation() {
        Map<String, String> extra = new HashMap<>(tlsKeys());
        extra.put("ssl.enabledProtocols", "TLSv0.9");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NettyTransport(config(1, 4096, 5_000, extra), System::nanoTime, NettyTlsTest::open));
        assertTrue(e.getMessage().contains("TLSv0.9"), e.getMessage());
    }

    @Test
    void withoutAKeyStoreThereIsNoSecurePortAndNothingIsBound() throws Exception {
        Transport plain = NettyTestSupport.transport();
        toClose.add(plain);
        IOException noKeys = assertThrows(IOException.class,
                () -> plain.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, new RecordingHandler()));
        assertTrue(noKeys.getMessage().contains("ssl.keyStore.location"), noKeys.getMessage());
        assertFalse(noKeys instanceof SocketException, "a configuration problem, not a bind failure");
    }

    // ---- through the SPI ------------------------------------------------------------------------------------------

    @Test
    void theProviderReadsKeyMaterialOnlyThroughTheConfigFilesItIsGiven() throws Exception {
        // the stores live in memory under names that are no files: nothing but ConfigFiles can produce them
        Map<String, byte[]> memory = Map.of(
                "mem:server.p12", Files.readAllBytes(serverKeys),
                "mem:trust.jks", Files.readAllBytes(serverTrustJks),
                "mem:trust-password", (PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
        List<String> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        ConfigFiles files = location -> {
            opened.add(location);
            byte[] bytes = memory.get(location);
            if (bytes == null) {
                throw new java.io.FileNotFoundException(location);
            }
            return new java.io.ByteArrayInputStream(bytes);
        };
        TransportProvider provider = new NettyTransportProvider();
        Transport transport = provider.create(config(2, 1 << 20, 5_000, Map.of(
                "ssl.keyStore.location", "mem:server.p12", "ssl.keyStore.password", PASSWORD,
                "ssl.trustStore.location", "mem:trust.jks", "ssl.trustStore.passwordPath", "mem:trust-password")),
                System::nanoTime, files);
        toClose.add(transport);
        assertEquals(Set.of("mem:server.p12", "mem:trust.jks", "mem:trust-password"), Set.copyOf(opened),
                "read while the transport is created");

        ClientListener secure = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, answeringRuok());
        ClientListener plain = transport.listenForClients(LOOPBACK_ANY_PORT, 0, 0, answeringRuok());
        assertEquals("imok", fourLetterWordOverTls(secure.localAddress(), clientKeys));
        assertRefused(secure.localAddress(), null); // ssl.clientAuth defaults to need
        try (Client client = new Client(plain.localAddress())) {
            client.write("ruok".getBytes(StandardCharsets.US_ASCII));
            assertEquals("imok", new String(client.readToEnd(), StandardCharsets.US_ASCII));
        }
        assertEquals(3, opened.size(), "nothing read after creation: " + opened);
    }

    @Test
    void theTwoArgumentCreateHasNoFilesSoAKeyStoreFailsAtCreation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NettyTestSupport.transport(config(1, 4096, 5_000, tlsKeys())));
        assertTrue(e.getMessage().contains(serverKeys.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("ssl.keyStore.location"), e.getMessage());
        assertTrue(e.getMessage().contains("no config files available"), e.getMessage());
        assertNoTransportThreads();
    }

    @Test
    void aTakenSecurePortIsABindException() throws Exception {
        Transport transport = new NettyTransportProvider().create(config(2, 1 << 20, 5_000, tlsKeys()),
                System::nanoTime, NettyTlsTest::open);
        toClose.add(transport);
        ClientListener first = transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, answeringRuok());
        assertThrows(SocketException.class,
                () -> transport.listenForSecureClients(first.localAddress(), 0, 0, answeringRuok()));
        assertThrows(SocketException.class,
                () -> transport.listenForClients(first.localAddress(), 0, 0, new RecordingHandler()));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static Map<String, String> tlsKeys() {
        return Map.of("ssl.keyStore.location", serverKeys.toString(), "ssl.keyStore.password", PASSWORD);
    }

    private NettyTransport tlsTransport(Map<String, String> ssl) {
        Map<String, String> extra = new HashMap<>(tlsKeys());
        extra.putAll(ssl);
        TransportConfig config = config(2, 1 << 20, 5_000, extra);
        NettyTransport transport = new NettyTransport(config, System::nanoTime, NettyTlsTest::open);
        toClose.add(transport);
        return transport;
    }

    /** What distro would hand in: the file system. */
    private static InputStream open(String location) throws IOException {
        return Files.newInputStream(Path.of(location));
    }

    private static RecordingHandler answeringRuok() {
        RecordingHandler handler = new RecordingHandler();
        handler.fourLetterWords = command -> command.equals("ruok") ? "imok" : null;
        return handler;
    }

    private static SSLSocket tlsSocket(InetSocketAddress address, Path clientKeyStore) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(clientTrust)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        KeyManagerFactory keyManagers = null;
        if (clientKeyStore != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(clientKeyStore)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(),
                null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the client checks the server's 127.0.0.1 SAN
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.connect(address, (int) WAIT.toMillis());
        return socket;
    }

    /** Sends {@code ruok} over TLS the way nc does (then half-closes) and returns the answer. */
    private static String fourLetterWordOverTls(InetSocketAddress address, Path clientKeyStore) throws Exception {
        try (SSLSocket socket = tlsSocket(address, clientKeyStore)) {
            socket.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /** The server refuses the handshake: the client sees an error or an end of stream, never an answer. */
    private static void assertRefused(InetSocketAddress address, Path clientKeyStore) throws Exception {
        try {
            String answer = fourLetterWordOverTls(address, clientKeyStore);
            assertEquals("", answer, "the server answered a client it should have refused");
        } catch (SSLException | java.net.SocketException refused) {
            assertNotNull(refused.getMessage()); // a bad_certificate / certificate_required alert, or a reset
        }
    }

    private static String readFrame(java.io.DataInputStream in) throws IOException {
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    private static int readQuietly(InputStream in) {
        try {
            return in.read();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void assertNoTransportThreads() {
        await("no paddock-netty thread", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("paddock-netty")));
    }

    // ---- certificates -------------------------------------------------------------------------------------------

    private static Path trustStore(String file, String type, Certificate... certificates) throws Exception {
        return TestCertificates.writeTrustStore(dir.resolve(file), type, PASSWORD, certificates);
    }
}
