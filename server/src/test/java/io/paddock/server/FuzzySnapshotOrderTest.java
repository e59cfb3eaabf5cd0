package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.api.Acl;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.DeleteRequest;
import io.paddock.protocol.OpCode;
import io.paddock.server.inspect.SnapshotDecoder;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.inspect.SnapshotSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fuzzy snapshot must stay restorable whatever changes run during its walk. The walk lists the paths first, then
 * visits each one; a node deleted by then is written as an empty record. If a parent and its child are both deleted
 * before the walk reaches the parent, and both are created again before it reaches the child, the snapshot holds the
 * child without its parent, and the restore ({@code DataTree.restoreNode}) refuses it: the server cannot start until
 * that snapshot is removed by hand. Containers and lock folders (Curator) are deleted and re-created this way all day.
 *
 * <p>The interleaving is made deterministic by running the client's changes from inside the snapshot's output
 * stream: the walk writes each record outside the tree's locks, so the apply thread can change the tree right there.
 */
class FuzzySnapshotOrderTest {
    private static final List<Acl> OPEN = Acl.OPEN_ACL_UNSAFE;
    private final ZkServer server = new ZkServer(ServerConfig.defaults(), () -> 1_700_000_000_000L, System::nanoTime,
            List.of());
    private final StandaloneReplicator replicator = new StandaloneReplicator(server.stateMachine(), 1000);

    @AfterEach
    void stop() {
        replicator.close();
        server.close();
    }

    @Test
    void aParentAndChildRecreatedDuringTheWalkLeaveARestorableSnapshot() throws Exception {
        server.start(replicator);
        replicator.start();
        TestClient c = new TestClient(server);
        c.connect(30_000);
        ok(c, OpCode.CREATE, new CreateRequest("/p", null, OPEN, 0));
        ok(c, OpCode.CREATE, new CreateRequest("/p/c", null, OPEN, 0));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream interleaving = new OutputStream() {
            private int phase;

            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                bytes.write(b, off, len);
                byte[] written = Arrays.copyOfRange(b, off, off + len);
                try {
                    if (phase == 0 && len >= 5 && Arrays.equals(Arrays.copyOf(written, 5), new byte[] {0, 0, 0, 1, '/'})) {
                        // the root's record is out; /p comes later in the walk: delete the pair now
                        phase = 1;
                        ok(c, OpCode.DELETE, new DeleteRequest("/p/c", -1));
                        ok(c, OpCode.DELETE, new DeleteRequest("/p", -1));
                    } else if (phase == 1 && Arrays.equals(written, new byte[] {-1, -1, -1, -1})) {
                        // /p was written as deleted; /p/c is still ahead: create the pair again
                        phase = 2;
                        ok(c, OpCode.CREATE, new CreateRequest("/p", null, OPEN, 0));
                        ok(c, OpCode.CREATE, new CreateRequest("/p/c", null, OPEN, 0));
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
        long zxid = server.lastAppliedZxid();
        server.stateMachine().writeSnapshot(interleaving);

        int orphans = SnapshotDecoder.read(new ByteArrayInputStream(bytes.toByteArray()),
                SnapshotDecoder.recordBytesMax(0xfffff), new SnapshotDecoder.Visitor() {
                    @Override
                    public void session(SnapshotSession session) {}

                    @Override
                    public void node(SnapshotNode node) {}
                }).nodesBeforeParent();
        assertEquals(1, orphans, "the walk recorded /p as deleted and then met the re-created /p/c");

        // The restore skips the orphan; the log after the snapshot's zxid re-creates both (DurabilityTest replays).
        ZkServer restarted = new ZkServer(ServerConfig.defaults(), () -> 1_700_000_000_000L, System::nanoTime,
                List.of());
        try {
            assertDoesNotThrow(() -> restarted.stateMachine().restoreSnapshot(
                    new ByteArrayInputStream(bytes.toByteArray()), zxid));
        } finally {
            restarted.close();
        }
    }

    private static void ok(TestClient c, int op, io.paddock.protocol.JuteRecord body) throws InterruptedException {
        int err = c.call(op, body).header().err();
        if (err != 0) {
            throw new AssertionError("error " + err + " from " + body);
        }
    }
}
