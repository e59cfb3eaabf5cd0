package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.config;
import static io.paddock.transport.testkit.TransportTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.testkit.TransportTestSupport.MAX_FRAME_BYTES;
import static io.paddock.transport.testkit.TransportTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.ConfigFiles;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.Transport;
import io.paddock.transport.testkit.TransportContractTest.Recorder;
import io.paddock.transport.testkit.TransportTestSupport.Client;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS between peers ({@code sslQuorum=true}, ZooKeeper's {@code ssl.quorum.*} keys): mutual authentication, the check
 * of each certificate against the address (the one dialled, or the dialler's IP), refusals that never deliver a frame,
 * and start-up errors. Self-signed certificates are made once per class: two peers naming 127.0.0.1, a stranger
 * nobody trusts, a peer whose certificate names only another address, and one that names only {@code localhost}.
 */
@Timeout(30)
@ExtendWith(NettyLeaks.class)
class NettyQuorumTlsTest {

    private static final String PASSWORD = "paddock-quorum";
    private static final int TIMEOUT_MS = 3_000;

    @TempDir
    static Path dir;
    private static Path peerA;
    private static Path peerB;
    private static Path stranger;
    private static Path elsewhere;
    private static Path namedLocalhost;
    private static Path trustPeers; // A, B, elsewhere and localhost-only: not the stranger
    private static Path trustAll; // also the stranger

    private final List<Transport> toClose = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates.Identity a = TestCertificates.selfSigned("peer-a", List.of("127.0.0.1"), List.of());
        TestCertificates.Identity b = TestCertificates.selfSigned("peer-b", List.of("127.0.0.1"), List.of());
        TestCertificates.Identity s = TestCertificates.selfSigned("stranger", List.of("127.0.0.1"), List.of());
        TestCertificates.Identity e = TestCertificates.selfSigned("elsewhere", List.of("10.1.2.3"), List.of());
        TestCertificates.Identity l = TestCertificates.selfSigned("localhost-only", List.of(), List.of("localhost"));
        peerA = a.writeKeyStore(dir.resolve("peer-a.p12"), PASSWORD);
        peerB = b.writeKeyStore(dir.resolve("peer-b.p12"), PASSWORD);
        stranger = s.writeKeyStore(dir.resolve("stranger.p12"), PASSWORD);
        elsewhere = e.writeKeyStore(dir.resolve("elsewhere.p12"), PASSWORD);
        namedLocalhost = l.writeKeyStore(dir.resolve("localhost.p12"), PASSWORD);
        trustPeers = TestCertificates.writeTrustStore(dir.resolve("peers.jks"), "JKS", PASSWORD, a.certificate(),
                b.certificate(), e.certificate(), l.certificate());
        trustAll = TestCertificates.writeTrustStore(dir.resolve("all.p12"), "PKCS12", PASSWORD, a.certificate(),
                b.certificate(), e.certificate(), l.certificate(), s.certificate());
    }

    @AfterEach
    void closeTransports() {
        toClose.forEach(Transport::close);
    }

    @Test
    void twoPeersExchangeFramedMessagesBothWaysOverMutualTls() throws Exception {
        Transport server = quorumTransport(peerA, trustPeers, Map.of());
        Transport client = quorumTransport(peerB, trustPeers, Map.of());
        PeerPort peerPort = peerPort(server);
        BlockingQueue<PeerLink> accepted = peerPort.accepted();
        Recorder serverSide = peerPort.recorder();
        Recorder clientSide = new Recorder();
        PeerLink out = client.connectToPeer(peerPort.address(), TIMEOUT_MS, clientSide);
        assertTrue(out.isOpen());
        for (int i = 0; i < 200; i++) {
            out.send(utf8("to-server-" + i));
        }
        out.send(ByteBuffer.allocate(MAX_FRAME_BYTES)); // the limit itself, across many TLS records
        PeerLink in = accepted.poll(5, TimeUnit.SECONDS);
        assertNotNull(in);
        for (int i = 0; i < 200; i++) {
            in.send(utf8("to-client-" + i));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals("to-server-" + i, serverSide.next());
            assertEquals("to-client-" + i, clientSide.next());
        }
        assertEquals(MAX_FRAME_BYTES, serverSide.next().length());
        out.close();
        assertNull(serverSide.awaitClose(), "a clean close over TLS has no cause");
        assertNull(clientSide.awaitClose());
    }

    @Test
    void aPeerWithAnUntrustedCertificateIsRefusedAndNeverDeliversAFrame() throws Exception {
        Transport server = quorumTransport(peerA, trustPeers, Map.of());
        Transport intruder = quorumTransport(stranger, trustAll, Map.of()); // it trusts the server; not vice versa
        PeerPort peerPort = peerPort(server);
        BlockingQueue<PeerLink> accepted = peerPort.accepted();
        Recorder intruderSide = new Recorder();
        try {
            // TLS 1.3: the dialler has finished its half before the server checks its certificate, so the refusal
            // may arrive as the link's close rather than as a failed connect
            intruder.connectToPeer(peerPort.address(), TIMEOUT_MS, intruderSide);
            assertInstanceOf(SSLException.class, intruderSide.awaitClose(), "closed by the server's alert");
        } catch (SSLException refused) {
            // refused during connect: just as good
        }
        assertNull(accepted.poll(300, TimeUnit.MILLISECONDS), "the acceptor never hears of the intruder");
        assertEquals(0, peerPort.listener().connectionCount());
        assertNull(intruderSide.messages.poll(), "nothing reached the intruder either");
    }

    @Test
    void overTls12AnUntrustedDiallerIsRefusedByConnectItself() throws Exception {
        Map<String, String> tls12 = Map.of("ssl.quorum.enabledProtocols", "TLSv1.2");
        Transport server = quorumTransport(peerA, trustPeers, tls12);
        Transport intruder = quorumTransport(stranger, trustAll, tls12);
        PeerPort peerPort = peerPort(server);
        BlockingQueue<PeerLink> accepted = peerPort.accepted();
        Recorder intruderSide = new Recorder();
        // in TLS 1.2 the server's Finished comes after it checked the certificate, so connect cannot succeed first
        assertThrows(SSLException.class,
                () -> intruder.connectToPeer(peerPort.address(), TIMEOUT_MS, intruderSide));
        assertNull(intruderSide.closes.poll(200, TimeUnit.MILLISECONDS), "a link never returned is never reported");
        assertNull(accepted.poll(), "the acceptor never hears of the intruder");
    }

    @Test
    void aDiallerRefusesAPeerItDoesNotTrustBeforeConnectReturns() throws Exception {
        Transport impostor = quorumTransport(stranger, trustAll, Map.of());
        Transport client = quorumTransport(peerB, trustPeers, Map.of()); // does not trust the stranger
        PeerPort peerPort = peerPort(impostor);
        BlockingQueue<PeerLink> accepted = peerPort.accepted();
        Recorder clientSide = new Recorder();
        assertThrows(SSLHandshakeException.class,
                () -> client.connectToPeer(peerPort.address(), TIMEOUT_MS, clientSide));
        assertNull(clientSide.closes.poll(200, TimeUnit.MILLISECONDS), "a link never returned is never reported");
        assertNull(accepted.poll(), "nor seen by the other side");
    }

    @Test
    void plainTcpToATlsPeerPortIsRefusedAndNeverDeliversAFrame() throws Exception {
        Transport server = quorumTransport(peerA, trustPeers, Map.of());
        PeerPort peerPort = peerPort(server);
        BlockingQueue<PeerLink> accepted = peerPort.accepted();
        try (Client raw = new Client(peerPort.address())) {
            raw.write(ByteBuffer.allocate(9).putInt(5).put("hello".getBytes(StandardCharsets.US_ASCII)).array());
            raw.expectClosedWithoutOutput();
        }
        // a plain transport dialling it: the TCP connect succeeds, then the link is cut, and nothing is delivered
        Transport plain = NettyTestSupport.transport();
        toClose.add(plain);
        Recorder plainSide = new Recorder();
        PeerLink out = plain.connectToPeer(peerPort.address(), TIMEOUT_MS, plainSide);
        out.send(utf8("plain text"));
        plainSide.awaitClose();
        assertNull(plainSide.messages.poll());
        assertNull(accepted.poll(200, TimeUnit.MILLISECONDS), "the acceptor never hears of a plain-text peer");
        await("the listener to drop them", () -> peerPort.listener().connectionCount() == 0);
    }

    @Test
    void aSilentConnectionToATlsPeerPortIsClosedAtTheHandshakeTimeout() throws Exception {
        Map<String, String> extra = new HashMap<>(quorumKeys(peerA, trustPeers));
        Transport server = new NettyTransportProvider().create(config(1, 1 << 20, 400, extra), System::nanoTime,
                NettyQuorumTlsTest::open);
        toClose.add(server);
        PeerPort peerPort = peerPort(server);
        try (Client silent = new Client(peerPort.address())) {
            silent.expectClosedWithoutOutput(); // within the client's read timeout, long before it
        }
        assertNull(peerPort.accepted().poll());
    }

    @Test
    void dialingAPlainPeerPortWithTlsFailsInsteadOfHanging() throws Exception {
        Transport plain = NettyTestSupport.transport();
        toClose.add(plain);
        ClientListener plainPort = plain.listenForPeers(LOOPBACK_ANY_PORT, link -> new Recorder());
        Transport client = quorumTransport(peerB, trustPeers, Map.of());
        Recorder clientSide = new Recorder();
        // the plain side reads the TLS hello as a frame length far over the limit and drops the link
        IOException e = assertThrows(IOException.class,
                () -> client.connectToPeer(plainPort.localAddress(), TIMEOUT_MS, clientSide));
        assertTrue(e.getMessage().contains("TLS handshake with peer"), e.getMessage());
        assertNull(clientSide.closes.poll(), "a link never returned is never reported");
    }

    @Test
    void theDialledAddressMustBeNamedInThePeersCertificate() throws Exception {
        Transport misnamed = quorumTransport(elsewhere, trustPeers, Map.of("ssl.quorum.hostnameVerification",
                "false")); // it accepts anyone it trusts, from anywhere
        PeerPort peerPort = peerPort(misnamed);
        Transport client = quorumTransport(peerB, trustPeers, Map.of());
        // trusted, but its certificate names 10.1.2.3, and 127.0.0.1 was dialled
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> client.connectToPeer(peerPort.address(), TIMEOUT_MS, new Recorder()));
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());

        // with the check off on the dialling side too, the same peer is fine
        Transport lenient = quorumTransport(peerB, trustPeers, Map.of("ssl.quorum.hostnameVerification", "false"));
        Recorder lenientSide = new Recorder();
        PeerLink link = lenient.connectToPeer(peerPort.address(), TIMEOUT_MS, lenientSide);
        assertTrue(link.isOpen());
    }

    @Test
    void aHostNameDialledIsCheckedAsGivenWithoutAnyLookup() throws Exception {
        Transport named = quorumTransport(namedLocalhost, trustPeers, Map.of("ssl.quorum.hostnameVerification",
                "false"));
        PeerPort peerPort = peerPort(named);
        Recorder serverSide = peerPort.recorder();
        Transport client = quorumTransport(peerB, trustPeers, Map.of());
        int port = peerPort.address().getPort();
        // the address carries the name it was dialled by; nothing resolves it again or looks 127.0.0.1 up
        InetSocketAddress byName = new InetSocketAddress(
                InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), port);
        PeerLink link = client.connectToPeer(byName, TIMEOUT_MS, new Recorder());
        link.send(utf8("by name"));
        assertEquals("by name", serverSide.next());
        // dialled by its IP literal, a certificate that names only localhost is refused
        assertThrows(SSLHandshakeException.class, () -> client.connectToPeer(peerPort.address(), TIMEOUT_MS,
                new Recorder()));
    }

    @Test
    void theAcceptingSideChecksTheDiallersCertificateAgainstItsAddress() throws Exception {
        Transport server = quorumTransport(peerA, trustPeers, Map.of());
        PeerPort peerPort = peerPort(server);
        BlockingQueue<PeerLink> accepted = peerPort.accepted();
        // trusted by the server, but its certificate names 10.1.2.3 while it connects from 127.0.0.1
        Transport misplaced = quorumTransport(elsewhere, trustPeers, Map.of());
        Recorder misplacedSide = new Recorder();
        try {
            misplaced.connectToPeer(peerPort.address(), TIMEOUT_MS, misplacedSide);
            assertInstanceOf(SSLException.class, misplacedSide.awaitClose());
        } catch (SSLException refused) {
            // refused during connect: just as good
        }
        assertNull(accepted.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void theProviderReadsQuorumKeyMaterialThroughTheConfigFilesItIsGiven() throws Exception {
        Map<String, byte[]> memory = Map.of("mem:a.p12", Files.readAllBytes(peerA),
                "mem:trust.jks", Files.readAllBytes(trustPeers), "mem:password", (PASSWORD + "\n").getBytes());
        ConfigFiles files = location -> {
            byte[] bytes = memory.get(location);
            if (bytes == null) {
                throw new java.io.FileNotFoundException(location);
            }
            return new java.io.ByteArrayInputStream(bytes);
        };
        Transport server = new NettyTransportProvider().create(config(1, 1 << 20, 5_000, Map.of("sslQuorum", "true",
                "ssl.quorum.keyStore.location", "mem:a.p12", "ssl.quorum.keyStore.passwordPath", "mem:password",
                "ssl.quorum.trustStore.location", "mem:trust.jks", "ssl.quorum.trustStore.password", PASSWORD)),
                System::nanoTime, files);
        toClose.add(server);
        PeerPort peerPort = peerPort(server);
        Recorder serverSide = peerPort.recorder();
        PeerLink link = quorumTransport(peerB, trustPeers, Map.of()).connectToPeer(peerPort.address(),
                TIMEOUT_MS, new Recorder());
        link.send(utf8("from memory"));
        assertEquals("from memory", serverSide.next());
    }

    @Test
    void badQuorumSettingsFailAtCreationNamingTheKeyAndTheFile() {
        IllegalArgumentException noStore = assertThrows(IllegalArgumentException.class,
                () -> create(Map.of("sslQuorum", "true")));
        assertTrue(noStore.getMessage().contains("transport.ssl.quorum.keyStore.location"), noStore.getMessage());

        Path missing = dir.resolve("no-such-store.p12");
        IllegalArgumentException notThere = assertThrows(IllegalArgumentException.class,
                () -> create(quorumKeys(missing, trustPeers)));
        assertTrue(notThere.getMessage().contains(missing.toString()), notThere.getMessage());
        assertTrue(notThere.getMessage().contains("transport.ssl.quorum.keyStore.location"), notThere.getMessage());

        Map<String, String> wrongPassword = new HashMap<>(quorumKeys(peerA, trustPeers));
        wrongPassword.put("ssl.quorum.keyStore.password", "not-it");
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> create(wrongPassword));
        assertTrue(wrong.getMessage().contains(peerA.toString()), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("wrong password (transport.ssl.quorum.keyStore.password)"),
                wrong.getMessage());

        Map<String, String> oneWay = new HashMap<>(quorumKeys(peerA, trustPeers));
        oneWay.put("ssl.quorum.clientAuth", "none");
        IllegalArgumentException noMutual = assertThrows(IllegalArgumentException.class, () -> create(oneWay));
        assertTrue(noMutual.getMessage().contains("mutual TLS"), noMutual.getMessage());

        Map<String, String> badProtocol = new HashMap<>(quorumKeys(peerA, trustPeers));
        badProtocol.put("ssl.quorum.enabledProtocols", "SSLv2");
        IllegalArgumentException protocol = assertThrows(IllegalArgumentException.class, () -> create(badProtocol));
        assertTrue(protocol.getMessage().contains("transport.ssl.quorum.enabledProtocols"), protocol.getMessage());

        await("no paddock-netty thread left by a failed start", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("paddock-netty")));
    }

    @Test
    void quorumKeysWithoutSslQuorumLeaveThePeerLinksPlain() throws Exception {
        Map<String, String> keys = new HashMap<>(quorumKeys(peerA, trustPeers));
        keys.put("sslQuorum", "false");
        Transport server = create(keys);
        toClose.add(server);
        PeerPort peerPort = peerPort(server);
        Recorder serverSide = peerPort.recorder();
        Transport plain = NettyTestSupport.transport();
        toClose.add(plain);
        plain.connectToPeer(peerPort.address(), TIMEOUT_MS, new Recorder()).send(utf8("plain"));
        assertEquals("plain", serverSide.next());
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** A peer port whose acceptor records every link it is offered and gives each the same recorder. */
    private record PeerPort(ClientListener listener, BlockingQueue<PeerLink> accepted, Recorder recorder) {
        InetSocketAddress address() {
            return listener.localAddress();
        }
    }

    private static PeerPort peerPort(Transport transport) throws IOException {
        BlockingQueue<PeerLink> accepted = new LinkedBlockingQueue<>();
        Recorder recorder = new Recorder();
        ClientListener listener = transport.listenForPeers(LOOPBACK_ANY_PORT, link -> {
            accepted.add(link);
            return recorder;
        });
        return new PeerPort(listener, accepted, recorder);
    }

    private static Map<String, String> quorumKeys(Path keyStore, Path trustStore) {
        return Map.of("sslQuorum", "true",
                "ssl.quorum.keyStore.location", keyStore.toString(), "ssl.quorum.keyStore.password", PASSWORD,
                "ssl.quorum.trustStore.location", trustStore.toString(), "ssl.quorum.trustStore.password", PASSWORD);
    }

    private Transport quorumTransport(Path keyStore, Path trustStore, Map<String, String> more) {
        Map<String, String> extra = new HashMap<>(quorumKeys(keyStore, trustStore));
        extra.putAll(more);
        Transport transport = create(extra);
        toClose.add(transport);
        return transport;
    }

    private static Transport create(Map<String, String> extra) {
        return new NettyTransportProvider().create(config(1, 1 << 20, 5_000, extra), System::nanoTime,
                NettyQuorumTlsTest::open);
    }

    /** What distro would hand in: the file system. */
    private static InputStream open(String location) throws IOException {
        return Files.newInputStream(Path.of(location));
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
