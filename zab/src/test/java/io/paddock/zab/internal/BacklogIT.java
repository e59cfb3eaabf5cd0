package io.paddock.zab.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.election.PeerState;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.storage.file.FileStorageProvider;
import io.paddock.transport.nio.NioTransportProvider;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.ZabPeerSettings;
import io.paddock.zab.ZabSnapshotPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end back-pressure: a state machine that does not apply makes a (single-voter) leader stop taking proposals
 * once {@link ZabDriver#BACKLOG_BYTES_MAX} of txns wait for it, instead of growing memory; they all go through once it
 * applies again.
 */
class BacklogIT {
    private static final int TXN_BYTES = 1 << 20;

    @TempDir
    Path tmp;

    /** Blocks its first apply until released. */
    private static final class StuckStateMachine implements StateMachine {
        final CountDownLatch release = new CountDownLatch(1);
        volatile long applied;
        volatile Role role = Role.LOOKING;

        @Override
        public void apply(long zxid, ByteBuffer txn, Object context) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
        public void roleChanged(Role role) {
            this.role = role;
        }

        @Override
        public void writeSnapshot(OutputStream out) {}

        @Override
        public void restoreSnapshot(InputStream in, long zxid) {
            applied = zxid;
        }
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

    @Test
    void aStuckStateMachineStopsProposalsAtTheBacklogBoundAndReleasesThemWhenItMovesOn() throws Exception {
        StuckStateMachine sm = new StuckStateMachine();
        int admitted = (int) (ZabDriver.BACKLOG_BYTES_MAX / TXN_BYTES) + 1;
        int total = admitted + 20;
        try (Transport transport = new NioTransportProvider().create(
                new TransportConfig(1, 1 << 20, 1 << 20, 5_000, Map.of()), System::nanoTime);
                Storage storage = new FileStorageProvider().open(
                        new StorageConfig(tmp, tmp, 64 << 10, 10_000, false, Map.of()));
                ZabDriver leader = ZabDriver.open(
                        ZabConfig.of(1, Set.of(1L), Set.of(), 10, 5).withOutstandingProposalsMax(10 * total),
                        new ZabPeerSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), sid -> null,
                                20, 1_000),
                        ZabSnapshotPolicy.DEFAULTS, sm, storage, transport, new FixedElection(PeerState.LEADING), System::nanoTime)) {
            leader.start();
            await("it leads", () -> leader.role() == Role.LEADER);
            AtomicInteger proposed = new AtomicInteger();
            Thread proposer = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        leader.propose(ByteBuffer.allocate(TXN_BYTES), null);
                        proposed.incrementAndGet();
                    }
                } catch (NotLeaderException e) {
                    throw new IllegalStateException(e);
                }
            }, "proposer");
            proposer.setDaemon(true);
            proposer.start();
            await("the proposer is held at the bound", () -> proposed.get() >= admitted - 1
                    && proposer.getState() == Thread.State.TIMED_WAITING);
            assertTrue(proposed.get() <= admitted, "proposals beyond the backlog bound were taken: " + proposed.get()
                    + " of " + TXN_BYTES + " bytes, bound " + ZabDriver.BACKLOG_BYTES_MAX);
            sm.release.countDown();
            await("every proposal went through once the state machine applied", () -> proposed.get() == total);
            proposer.join(5_000);
        }
    }
}
