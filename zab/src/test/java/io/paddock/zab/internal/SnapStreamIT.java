package io.paddock.zab.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.Zxid;
import io.paddock.api.election.PeerState;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.storage.file.FileStorageProvider;
import io.paddock.transport.nio.NioTransportProvider;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.ZabPeerSettings;
import io.paddock.zab.ZabSnapshotPolicy;
import io.paddock.zab.core.ZabMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner side of a streamed SNAP against a scripted fake leader over real loopback links and file storage: a
 * stream that checks out is committed and restored; a bad checksum, a short stream or a dropped link leave no
 * snapshot behind (ZOOKEEPER-3642, 2872) and the learner syncs again.
 */
class SnapStreamIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long SNAP_ZXID = Zxid.of(1, 40);
    private static final int SNAP_BYTES = 3 * ZabCodec.SNAP_CHUNK_BYTES + 1234;

    @TempDir
    Path tmp;

    private final byte[] snapshot = new byte[SNAP_BYTES];
    private Transport transport;
    private Storage storage;
    private ZabDriver learner;
    private ClientListener fakeLeader;
    private final AtomicInteger syncAttempts = new AtomicInteger();

    /** Holds the snapshot bytes it was restored from. */
    private static final class BytesStateMachine implements StateMachine {
        volatile byte[] state = new byte[0];
        volatile long applied;

        @Override
        public void apply(long zxid, ByteBuffer txn, Object context) {
            applied = zxid;
        }

        @Override
        public long lastAppliedZxid() {
            return applied;
        }

        @Override
        public void prepareForwarded(ForwardedRequest request) {}

        @Override
        public void syncCompleted(Object context) {}

        @Override
        public void sessionsTouched(long[] sessionIds) {}

        @Override
        public void roleChanged(Role role) {}

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            out.write(state);
        }

        @Override
        public void restoreSnapshot(InputStream in, long zxid) throws IOException {
            state = in.readAllBytes();
            applied = zxid;
        }
    }

    private BytesStateMachine start(BiConsumer<PeerLink, Integer> afterAckEpoch) throws IOException {
        new Random(5).nextBytes(snapshot);
        transport = new NioTransportProvider().create(new TransportConfig(1, 80 << 10, 4 << 20, 5_000, Map.of()),
                System::nanoTime);
        Path dir = Files.createDirectories(tmp.resolve("learner"));
        storage = new FileStorageProvider().open(new StorageConfig(dir, dir, 64 << 10, 10_000, true, Map.of()));
        fakeLeader = transport.listenForPeers(new InetSocketAddress(LOOPBACK, 0), link -> new PeerLinkHandler() {
            @Override
            public void messageReceived(PeerLink l, ByteBuffer payload) {
                ZabMessage m = ZabCodec.decode(payload);
                if (m instanceof ZabMessage.LearnerInfo) {
                    l.send(ZabCodec.encode(new ZabMessage.LeaderInfo(1)));
                } else if (m instanceof ZabMessage.AckEpoch) {
                    afterAckEpoch.accept(l, syncAttempts.incrementAndGet());
                }
            }

            @Override
            public void linkClosed(PeerLink l, Throwable cause) {}
        });
        InetSocketAddress leaderAddress = fakeLeader.localAddress();
        BytesStateMachine sm = new BytesStateMachine();
        ZabConfig zc = ZabConfig.of(2, Set.of(1L, 2L, 3L), Set.of(), 40, 20);
        learner = ZabDriver.open(zc, new ZabPeerSettings(new InetSocketAddress(LOOPBACK, 0),
                sid -> sid == 1 ? leaderAddress : null, 50, 1_000), ZabSnapshotPolicy.DEFAULTS, sm, storage,
                transport, new FixedElection(PeerState.FOLLOWING), System::nanoTime);
        learner.start();
        return sm;
    }

    @AfterEach
    void stop() {
        if (learner != null) {
            learner.close();
        }
        if (fakeLeader != null) {
            fakeLeader.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    /** Sends BEGIN and the chunks of {@link #snapshot} up to {@code upTo} bytes; returns their CRC-32C. */
    private int sendChunks(PeerLink l, int upTo) {
        l.send(ZabCodec.snapBegin(SNAP_ZXID));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (int off = 0; off < upTo; off += ZabCodec.SNAP_CHUNK_BYTES) {
            int n = Math.min(ZabCodec.SNAP_CHUNK_BYTES, upTo - off);
            byte[] chunk = java.util.Arrays.copyOfRange(snapshot, off, off + n);
            crc.update(chunk);
            l.send(ZabCodec.snapChunk(chunk, n));
        }
        return (int) crc.getValue();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    private long snapshotFiles() throws IOException {
        try (Stream<Path> files = Files.walk(tmp.resolve("learner"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("snapshot")).count();
        }
    }

    @Test
    void aStreamThatChecksOutIsCommittedThenRestored() throws IOException {
        BytesStateMachine sm = start((l, attempt) -> {
            int crc = sendChunks(l, SNAP_BYTES);
            l.send(ZabCodec.snapEnd(SNAP_BYTES, crc));
        });
        await("the snapshot is restored", () -> sm.lastAppliedZxid() == SNAP_ZXID);
        assertArrayEquals(snapshot, sm.state);
        assertEquals(java.util.List.of(SNAP_ZXID), storage.snapshots().list());
    }

    @Test
    void aBadChecksumAShortStreamOrADroppedLinkLeaveNoSnapshotAndTheLearnerSyncsAgain() throws IOException {
        BytesStateMachine sm = start((l, attempt) -> {
            switch (attempt % 3) {
                case 1 -> { // every byte, a wrong CRC
                    int crc = sendChunks(l, SNAP_BYTES);
                    l.send(ZabCodec.snapEnd(SNAP_BYTES, crc ^ 1));
                }
                case 2 -> { // a chunk missing, its CRC right for what was sent
                    int crc = sendChunks(l, 2 * ZabCodec.SNAP_CHUNK_BYTES);
                    l.send(ZabCodec.snapEnd(SNAP_BYTES, crc));
                }
                default -> { // the link drops mid-stream
                    sendChunks(l, 2 * ZabCodec.SNAP_CHUNK_BYTES);
                    l.close();
                }
            }
        });
        await("the learner tried every broken stream and came back", () -> syncAttempts.get() >= 4);
        learner.close(); // nothing in flight any more
        assertTrue(storage.snapshots().list().isEmpty(), "a partial snapshot was committed");
        assertEquals(0, snapshotFiles(), "a partial snapshot file was left behind");
        assertEquals(0, sm.lastAppliedZxid(), "the state machine was touched");
        assertTrue(learner.droppedLinks() >= 2, "the learner dropped the links that sent bad streams");
    }
}
