package io.paddock.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Zxid;
import io.paddock.api.replication.Role;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.storage.file.FileStorageProvider;
import io.paddock.transport.nio.NioTransportProvider;
import io.paddock.zab.replicator.ZabReplicator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up sanity at {@link ZabReplicator#open} (RELIABILITY §7.7) on real file storage in temp folders: what is
 * refused with an IOException, what is repaired. No thread is started: {@code open} only recovers and binds.
 */
class ZabStartupIT {
    @TempDir
    Path tmp;

    private Transport transport;
    private int dirs;

    @BeforeEach
    void transport() {
        transport = new NioTransportProvider().create(new TransportConfig(1, 1 << 20, 1 << 20, 5_000, Map.of()),
                System::nanoTime);
    }

    @AfterEach
    void close() {
        transport.close();
    }

    private Storage storage(Path dir) throws IOException {
        return new FileStorageProvider().open(new StorageConfig(dir, dir, 64 << 10, 10_000, true, Map.of()));
    }

    private Path newDir() throws IOException {
        return Files.createDirectories(tmp.resolve("d" + dirs++));
    }

    private static void log(Storage s, long... zxids) throws IOException {
        for (long z : zxids) {
            s.log().append(z, ByteBuffer.wrap(("t" + Long.toHexString(z)).getBytes(StandardCharsets.UTF_8)));
        }
        s.log().sync();
    }

    /** A snapshot at {@code upTo} holding the txns 1|1 .. upTo of epoch 1. */
    private static void snapshot(Storage s, long upTo) throws IOException {
        KvStateMachine sm = new KvStateMachine();
        for (long c = 1; c <= Zxid.counter(upTo); c++) {
            sm.apply(Zxid.of(1, c), ByteBuffer.wrap(new byte[] {'x'}), null);
        }
        try (SnapshotStore.SnapshotWriter w = s.snapshots().begin(upTo)) {
            sm.writeSnapshot(w.stream());
            w.commit();
        }
    }

    private ZabReplicator open(Storage s, KvStateMachine sm) throws IOException {
        ZabConfig zc = ZabConfig.of(1, Set.of(1L, 2L, 3L), Set.of(), 10, 5);
        ZabPeerSettings ps = new ZabPeerSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                sid -> null, 50, 1_000);
        // No election service: open neither starts threads nor looks for a leader.
        return ZabReplicator.open(zc, ps, new ZabSnapshotPolicy(100, 3, 0), sm, s, transport, null,
                System::nanoTime);
    }

    @Test
    void aLogThatStartsAboveTheNewestSnapshotWithNothingCoveringTheTxnsBetweenIsRefused() throws IOException {
        try (Storage s = storage(newDir())) {
            log(s, Zxid.of(1, 5), Zxid.of(1, 6), Zxid.of(1, 7)); // 1|1..1|4 purged without a snapshot (2325)
            IOException e = assertThrows(IOException.class, () -> open(s, new KvStateMachine()));
            assertTrue(e.getMessage().contains("ZOOKEEPER-2325"), e.getMessage());
        }
        try (Storage s = storage(newDir())) {
            snapshot(s, Zxid.of(1, 3));
            log(s, Zxid.of(1, 5), Zxid.of(1, 6)); // the snapshot covers up to 1|3, the log starts at 1|5
            IOException e = assertThrows(IOException.class, () -> open(s, new KvStateMachine()));
            assertTrue(e.getMessage().contains("first logged txn after the newest snapshot"), e.getMessage());
        }
    }

    @Test
    void aLogWithAGapAfterTheNewestSnapshotIsRefused() throws IOException {
        try (Storage s = storage(newDir())) {
            snapshot(s, Zxid.of(1, 3));
            log(s, Zxid.of(1, 1), Zxid.of(1, 2), Zxid.of(1, 3), Zxid.of(1, 4), Zxid.of(1, 5), Zxid.of(1, 7));
            IOException e = assertThrows(IOException.class, () -> open(s, new KvStateMachine()));
            assertTrue(e.getMessage().contains("gap"), e.getMessage());
        }
        try (Storage s = storage(newDir())) {
            log(s, Zxid.of(1, 1), Zxid.of(1, 2), Zxid.of(2, 2)); // a new epoch must start at counter 1
            assertThrows(IOException.class, () -> open(s, new KvStateMachine()));
        }
    }

    @Test
    void aSnapshotWithTheLogChainingFromItOrWhollyBelowItIsLoaded() throws IOException {
        try (Storage s = storage(newDir())) {
            snapshot(s, Zxid.of(1, 3));
            log(s, Zxid.of(1, 2), Zxid.of(1, 3), Zxid.of(1, 4), Zxid.of(2, 1)); // purged below, chains above
            KvStateMachine sm = new KvStateMachine();
            try (ZabReplicator r = open(s, sm)) {
                assertEquals(Zxid.of(1, 3), sm.lastAppliedZxid(), "loaded the newest snapshot");
                assertEquals(3, sm.applied().size());
                assertEquals(Role.LOOKING, r.role());
            }
        }
        try (Storage s = storage(newDir())) {
            log(s, Zxid.of(1, 1), Zxid.of(1, 2)); // a SNAP installed, the log cut not yet done: all below it
            snapshot(s, Zxid.of(1, 9));
            KvStateMachine sm = new KvStateMachine();
            try (ZabReplicator r = open(s, sm)) {
                assertEquals(Zxid.of(1, 9), sm.lastAppliedZxid());
            }
        }
    }

    @Test
    void epochFilesBehindTheLogAreRaisedToItBeforeAnythingRuns() throws IOException {
        try (Storage s = storage(newDir())) {
            log(s, Zxid.of(1, 1), Zxid.of(2, 1), Zxid.of(2, 2));
            s.values().put("acceptedEpoch", 1);
            s.values().put("currentEpoch", 1);
            try (ZabReplicator r = open(s, new KvStateMachine())) {
                assertEquals(2, s.values().get("acceptedEpoch").orElseThrow());
                assertEquals(2, s.values().get("currentEpoch").orElseThrow());
            }
        }
        try (Storage s = storage(newDir())) {
            log(s, Zxid.of(3, 1));
            s.values().put("acceptedEpoch", 3);
            s.values().put("currentEpoch", 4); // acceptedEpoch below currentEpoch: a lost or rolled-back file
            try (ZabReplicator r = open(s, new KvStateMachine())) {
                assertEquals(4, s.values().get("acceptedEpoch").orElseThrow());
                assertEquals(4, s.values().get("currentEpoch").orElseThrow());
            }
        }
        try (Storage s = storage(newDir())) { // missing files on an empty data dir stay missing
            try (ZabReplicator r = open(s, new KvStateMachine())) {
                assertTrue(s.values().get("acceptedEpoch").isEmpty());
                assertTrue(s.values().get("currentEpoch").isEmpty());
            }
        }
    }
}
