package io.paddock.server;

import io.paddock.api.auth.AuthScheme;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.replication.Role;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory stand-in for ZAB, enough to drive real {@link ZkServer}s as leader, followers and observers: one
 * sequencer numbers proposals and hands every committed txn to every member in zxid order, on one apply thread per
 * member (the proposer alone gets its context, as on a real peer); {@code forward} and {@code touchSession} run on the
 * leader's apply thread ({@code prepareForwarded}, {@code sessionsTouched}), as ZabReplicator runs them; {@code sync}
 * completes on the caller's apply thread after everything committed before it. Nothing is logged or lost: this tests
 * the server's side of the seam, not consensus.
 */
final class FakeEnsemble implements AutoCloseable {
    private static final Runnable STOP = () -> { };

    final AtomicLong nowMs = new AtomicLong(1_000_000);
    final List<Member> members = new ArrayList<>();
    /** Committed txns in zxid order (copies), for tests that look at what was proposed. */
    final List<ByteBuffer> committed = new ArrayList<>();
    private long lastZxid;
    /** When set, forwards are kept here instead of reaching the leader (a leader that went quiet). */
    volatile List<ForwardedRequest> heldForwards;
    /** When false, learners' touches are dropped (a leader that does not hear them). */
    volatile boolean deliverTouches = true;

    /** Member 0 is the leader; the others get {@code learnerRoles} in order. */
    FakeEnsemble(Collection<AuthScheme> schemes, Role... learnerRoles) {
        this(0, schemes, learnerRoles);
    }

    /** As above, every member refusing txns over {@code txnBytesMax} bytes (0: the default bound). */
    FakeEnsemble(int txnBytesMax, Collection<AuthScheme> schemes, Role... learnerRoles) {
        for (int i = 0; i <= learnerRoles.length; i++) {
            members.add(new Member(i + 1, schemes, txnBytesMax));
        }
        for (Member m : members) {
            m.server.start(m);
            m.thread.start();
        }
        roles(Role.LEADER, learnerRoles);
    }

    Member leader() {
        for (Member m : members) {
            if (m.role == Role.LEADER) {
                return m;
            }
        }
        return null;
    }

    Member member(int index) {
        return members.get(index);
    }

    /** Gives member 0 {@code first} and the rest {@code others}, each through its apply thread, and waits. */
    void roles(Role first, Role... others) {
        Role[] all = new Role[members.size()];
        all[0] = first;
        System.arraycopy(others, 0, all, 1, others.length);
        for (int i = 0; i < all.length; i++) {
            role(i, all[i]);
        }
    }

    /** One member's role change, delivered on its apply thread, waited for. */
    void role(int index, Role role) {
        Member m = members.get(index);
        m.role = role;
        m.run(() -> m.server.stateMachine().roleChanged(role));
        m.quiesce();
    }

    /**
     * Waits until every apply thread has run everything queued so far (twice: a forward may queue a proposal). Taking
     * the sequencer's lock first waits out a commit still handing its txn to the members: the leader may already have
     * applied (and answered) it while a follower's copy is not queued yet.
     */
    void quiesce() {
        synchronized (this) {
            // nothing: entering is the point
        }
        for (int round = 0; round < 2; round++) {
            for (Member m : members) {
                m.quiesce();
            }
        }
    }

    private synchronized long commit(Member from, ByteBuffer txn, Object context) throws NotLeaderException {
        if (from.role != Role.LEADER) {
            throw new NotLeaderException("member " + from.id + " is " + from.role);
        }
        long zxid = ++lastZxid;
        byte[] bytes = new byte[txn.remaining()];
        txn.duplicate().get(bytes);
        committed.add(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
        for (Member m : members) {
            Object ctx = m == from ? context : null;
            m.run(() -> m.server.stateMachine().apply(zxid, ByteBuffer.wrap(bytes), ctx));
        }
        return zxid;
    }

    synchronized List<ByteBuffer> committedTxns() {
        return List.copyOf(committed);
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.server.close();
            m.queue.offer(STOP);
        }
        for (Member m : members) {
            try {
                m.thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One server and the replicator it sees. */
    final class Member implements Replicator {
        final long id;
        final ZkServer server;
        final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(100_000);
        final Thread thread;
        volatile Role role = Role.LOOKING;

        Member(long id, Collection<AuthScheme> schemes, int txnBytesMax) {
            this.id = id;
            ServerConfig config = new ServerConfig(id, 10, 20, 200, Set.of("srvr", "mntr", "ruok", "isro"), 0xfffff,
                    100, false, Map.of(), false, 60_000);
            if (txnBytesMax > 0) {
                config = config.withTxnBytesMax(txnBytesMax);
            }
            this.server = new ZkServer(config, () -> 1_700_000_000_000L, () -> nowMs.get() * 1_000_000L, schemes);
            this.thread = new Thread(this::applyLoop, "fake-apply-" + id);
            thread.setDaemon(true);
        }

        TestClient client(int timeoutMs) throws InterruptedException {
            TestClient c = new TestClient(server);
            c.connect(timeoutMs);
            return c;
        }

        private void applyLoop() {
            while (true) {
                Runnable task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (task == STOP) {
                    return;
                }
                task.run();
            }
        }

        void run(Runnable task) {
            try {
                if (!queue.offer(task, 5, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("apply queue of member " + id + " full");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void quiesce() {
            CountDownLatch done = new CountDownLatch(1);
            run(done::countDown);
            try {
                if (!done.await(5, TimeUnit.SECONDS)) {
                    throw new AssertionError("apply thread of member " + id + " stuck");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public Role role() {
            return role;
        }

        @Override
        public long propose(ByteBuffer txn, Object context) throws NotLeaderException {
            return commit(this, txn, context);
        }

        @Override
        public void forward(ForwardedRequest request) throws NotLeaderException {
            if (role != Role.FOLLOWER && role != Role.OBSERVER) {
                throw new NotLeaderException("member " + id + " is " + role);
            }
            List<ForwardedRequest> held = heldForwards;
            if (held != null) {
                held.add(request);
                return;
            }
            Member l = leader();
            if (l == null) {
                throw new NotLeaderException("no leader");
            }
            l.run(() -> l.server.stateMachine().prepareForwarded(request));
        }

        @Override
        public void sync(Object context) {
            synchronized (FakeEnsemble.this) {
                run(() -> server.stateMachine().syncCompleted(context));
            }
        }

        @Override
        public void touchSession(long sessionId, int timeoutMs) {
            Member l = leader();
            if (l != null && l != this && deliverTouches) {
                l.run(() -> l.server.stateMachine().sessionsTouched(new long[] {sessionId}));
            }
        }

        @Override
        public long lastProposedZxid() {
            synchronized (FakeEnsemble.this) {
                return lastZxid;
            }
        }
    }
}
