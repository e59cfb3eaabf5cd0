package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Acl;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.CreateResponse;
import io.paddock.protocol.DeleteRequest;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.GetChildren2Request;
import io.paddock.protocol.GetChildren2Response;
import io.paddock.protocol.GetDataRequest;
import io.paddock.protocol.GetDataResponse;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.SetDataRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Restart, fuzzy-snapshot replay and storage failure, on storage that loses its unsynced tail. */
class DurabilityTest {
    private static final List<Acl> OPEN = Acl.OPEN_ACL_UNSAFE;
    private final MemoryStorage.Disk disk = new MemoryStorage.Disk();
    private final List<AutoCloseable> running = new ArrayList<>();

    private record Node(String data, io.paddock.api.Stat stat) {}

    private ZkServer start(int snapCount) throws Exception {
        return start(snapCount, 0);
    }

    private ZkServer start(int snapCount, long purgeIntervalMs) throws Exception {
        ServerConfig config = new ServerConfig(1, 10, 20, 60_000, Set.of(), 0xfffff, 100, false, Map.of(), false, 60_000);
        ZkServer server = new ZkServer(config, () -> 1_700_000_000_000L, System::nanoTime, List.of());
        StandaloneReplicator repl = new StandaloneReplicator(server.stateMachine(), 1000,
                new StandaloneReplicator.Durability(() -> new MemoryStorage(disk), snapCount, 3, purgeIntervalMs,
                        System::nanoTime,
                        new Random(7)));
        server.start(repl);
        repl.start();
        running.add(server);
        running.add(repl);
        return server;
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static TestClient client(ZkServer server) throws InterruptedException {
        TestClient c = new TestClient(server);
        c.connect(30_000);
        return c;
    }

    /** Every node under "/" with its data and Stat. */
    private static Map<String, Node> dump(TestClient c) throws InterruptedException {
        Map<String, Node> out = new TreeMap<>();
        List<String> todo = new ArrayList<>(List.of("/"));
        while (!todo.isEmpty()) {
            String p = todo.remove(todo.size() - 1);
            GetDataResponse d = GetDataResponse.read(c.call(OpCode.GET_DATA, new GetDataRequest(p, false)).body());
            out.put(p, new Node(d.data() == null ? null : Arrays.toString(d.data()), d.stat()));
            GetChildren2Response kids = GetChildren2Response.read(
                    c.call(OpCode.GET_CHILDREN2, new GetChildren2Request(p, false)).body());
            for (String k : kids.children()) {
                todo.add(p.equals("/") ? "/" + k : p + "/" + k);
            }
        }
        return out;
    }

    private static void workload(TestClient c, int rounds, Random random) throws InterruptedException {
        c.call(OpCode.CREATE, new CreateRequest("/w", null, OPEN, 0));
        for (int i = 0; i < rounds; i++) {
            String name = "/w/n" + random.nextInt(20);
            switch (random.nextInt(4)) {
                case 0 -> c.call(OpCode.CREATE, new CreateRequest(name, bytes("c" + i), OPEN, 0));
                case 1 -> c.call(OpCode.DELETE, new DeleteRequest(name, -1));
                case 2 -> c.call(OpCode.SET_DATA, new SetDataRequest(name, bytes("s" + i), -1));
                default -> c.call(OpCode.CREATE, new CreateRequest("/w/seq-", null, OPEN, 2));
            }
        }
    }

    @Test
    void aRestartedServerHasEveryAcknowledgedWriteAndKeepsCounting() throws Exception {
        ZkServer first = start(1_000_000);
        TestClient c = client(first);
        workload(c, 200, new Random(1));
        Map<String, Node> before = dump(c);
        long zxid = first.lastAppliedZxid();
        long digest = first.treeDigest();
        stopAll();
        running.clear();

        ZkServer second = start(1_000_000);
        assertEquals(zxid, second.lastAppliedZxid(), "zxids continue from the log");
        assertEquals(digest, second.treeDigest(), "replaying the log rebuilds the same tree");
        TestClient again = new TestClient(second);
        assertEquals(c.sessionId, again.connect(30_000, c.sessionId, c.password).sessionId(),
                "the session survives the restart within its timeout");
        assertEquals(before, dump(again));
        String next = CreateResponse.read(again.call(OpCode.CREATE, new CreateRequest("/w/seq-", null, OPEN, 2))
                .body()).path();
        long seqBefore = before.keySet().stream().filter(p -> p.startsWith("/w/seq-")).count();
        assertTrue(Integer.parseInt(next.substring("/w/seq-".length())) >= seqBefore, next);
    }

    @Test
    void fuzzySnapshotsAreMadeConsistentByReplayingTheLog() throws Exception {
        ZkServer first = start(8); // snapshots every 4..8 txns, while the workload runs
        TestClient c = client(first);
        workload(c, 300, new Random(2));
        // And one snapshot that is "fuzzier" than any background one: labelled with an old zxid, content newer.
        long label = first.lastAppliedZxid();
        workload2(c);
        ByteArrayOutputStream newer = new ByteArrayOutputStream();
        first.stateMachine().writeSnapshot(newer);
        Map<String, Node> before = dump(c);
        long digest = first.treeDigest();
        stopAll();
        running.clear();
        disk.snapshots.clear();
        disk.snapshots.put(label, newer.toByteArray());

        ZkServer second = start(8);
        assertEquals(digest, second.treeDigest(), "a fuzzy snapshot plus the log gives the same tree");
        TestClient again = client(second);
        assertEquals(before, dump(again));
    }

    @Test
    void autopurgeKeepsTheNewestSnapshotsAndTheLogTheyNeed() throws Exception {
        ZkServer first = start(4, 1);
        TestClient c = client(first);
        workload(c, 300, new Random(3));
        await(() -> disk.snapshots.size() == 3 && disk.synced.firstKey() > 1, "old snapshots and log purged");
        long oldestKept = disk.snapshots.keySet().stream().min(Long::compare).orElseThrow();
        assertTrue(disk.synced.firstKey() <= oldestKept + 1, "the log after the oldest kept snapshot is all there");
        Map<String, Node> before = dump(c);
        stopAll();
        running.clear();
        assertEquals(before, dump(client(start(4, 1))));
    }

    private static void workload2(TestClient c) throws InterruptedException {
        c.call(OpCode.CREATE, new CreateRequest("/f", bytes("1"), OPEN, 0));
        c.call(OpCode.CREATE, new CreateRequest("/f/a", null, OPEN, 0));
        c.call(OpCode.DELETE, new DeleteRequest("/f/a", -1));
        c.call(OpCode.SET_DATA, new SetDataRequest("/f", bytes("2"), -1));
        c.call(OpCode.CREATE, new CreateRequest("/f/a", null, OPEN, 0));
        c.call(OpCode.CREATE, new CreateRequest("/f/s-", null, OPEN, 2));
    }

    @Test
    void aFailedSyncStopsServiceLosesNothingAcknowledgedAndServiceResumes() throws Exception {
        ZkServer server = start(1_000_000);
        TestClient c = client(server);
        c.call(OpCode.CREATE, new CreateRequest("/kept", bytes("v"), OPEN, 0));
        disk.failSyncs = true;
        c.send(OpCode.CREATE, new CreateRequest("/lost", null, OPEN, 0));
        await(() -> !c.conn.open.get(), "the client is disconnected when storage fails");
        disk.failSyncs = false;
        await(() -> {
            TestClient probe = new TestClient(server);
            try {
                probe.connect(30_000);
                return probe.call(OpCode.GET_DATA, new GetDataRequest("/kept", false)).header().err() == 0;
            } catch (AssertionError | InterruptedException e) {
                return false;
            }
        }, "service resumes once storage works again");
        TestClient after = client(server);
        assertEquals(ErrorCode.NO_NODE, after.call(OpCode.GET_DATA, new GetDataRequest("/lost", false)).header().err(),
                "the write whose sync failed was never acknowledged nor applied");
        assertEquals(0, after.call(OpCode.CREATE, new CreateRequest("/new", null, OPEN, 0)).header().err());
        assertFalse(disk.synced.isEmpty());
        assertTrue(disk.opens >= 2, "storage was reopened after the failure");
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.onSpinWait();
        }
    }
}
