package io.paddock.server.pipeline;

import io.paddock.api.Acl;
import io.paddock.api.CreateMode;
import io.paddock.api.Id;
import io.paddock.api.Perms;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.time.Clock;
import io.paddock.protocol.CheckVersionRequest;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.CreateTTLRequest;
import io.paddock.protocol.DeleteRequest;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.ErrorResponse;
import io.paddock.protocol.MultiOp;
import io.paddock.protocol.MultiRequest;
import io.paddock.protocol.MultiResponse;
import io.paddock.protocol.MultiResult;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.SetACLRequest;
import io.paddock.protocol.SetDataRequest;
import io.paddock.server.session.Session;
import io.paddock.server.session.SessionTracker;
import io.paddock.server.tree.DataTree;
import io.paddock.server.tree.EphemeralOwner;
import io.paddock.server.tree.PathRules;
import io.paddock.server.tree.Quotas;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.server.txn.TxnHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prepare stage (ZooKeeper's PrepRequestProcessor): on one thread, validates each write against the tree plus
 * every change prepared but not yet applied, decides everything the apply step needs (sequence suffix, versions,
 * ephemeral owner, time), and proposes the txn. Check order and error codes follow WIRE-PROTOCOL.md §10.5-10.7.
 *
 * <p>Departure from ZooKeeper: a local client's write that fails validation is answered here and consumes no zxid
 * (§10.7.33 allows it); ZooKeeper logs an error txn instead. A write forwarded by a learner that fails is proposed as
 * a {@link Txn.Error}, as in ZooKeeper: the learner answers its clients only from applied txns, so the failure must
 * travel the same ordered path as the successes.
 *
 * <p>A txn whose encoding is over {@code ServerConfig.txnBytesMax} (what a peer link can carry in a proposal) is not
 * proposed: the request fails with MARSHALLINGERROR, through the same two paths.
 *
 * <p>On a learner (the {@link Forwarder} says this server does not prepare) client writes are not validated here:
 * they leave for the leader, in queue order, from this thread, and so does every {@code sync}, which keeps a session's
 * sync behind its earlier forwarded writes.
 *
 * <p>The queue in front of it is unbounded as a structure but bounded in practice: each connection stops being read
 * once it has {@code outstandingRequestsMax} requests in flight.
 */
public final class PrepareStage implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PrepareStage.class);

    /** What the stage tells the rest of the server. */
    public interface Completion {
        /** The request failed here; answer it with {@code err}. */
        void failed(Request r, int err);

        /** The request is answered here with a full reply built from the given body (multi failures). */
        void answered(Request r, MultiResponse body);
    }

    /** Where a learner's writes go. */
    public interface Forwarder {
        /** Whether this server prepares writes itself (leader, standalone) right now. */
        boolean preparesHere();

        /** Sends a client's write-class request to the leader; its reply comes from the applied txn. */
        void forward(Request r) throws NotLeaderException;
    }

    /** What the apply step needs to reply to a multi: the sub-op types in order. Checks have no txn. */
    public record MultiPlan(int[] opTypes) {}

    /** Queue token: forget every prepared change (the replicator dropped them, e.g. after a storage failure). */
    private static final Request RESET = Request.internal(0, OpCode.ERROR, null);

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final DataTree tree;
    private final SessionTracker sessions;
    private final AclChecker acls;
    private final Clock clock;
    private final LongSupplier lastApplied;
    private final boolean extendedTypesEnabled;
    private final boolean quotaEnforced;
    private final Completion completion;
    private final Forwarder forwarder;
    private final int txnBytesMax;
    private final Map<String, NodeView> pending = new HashMap<>();
    /** Ephemerals prepared but maybe not applied yet, per session, so a close finds them all. */
    private final Map<Long, Set<String>> pendingEphemerals = new HashMap<>();
    private volatile Replicator replicator;
    private volatile boolean running = true;
    private Thread thread;

    public PrepareStage(DataTree tree, SessionTracker sessions, AclChecker acls, Clock clock, LongSupplier lastApplied,
            boolean extendedTypesEnabled, boolean quotaEnforced, Completion completion, Forwarder forwarder,
            int txnBytesMax) {
        this.tree = tree;
        this.sessions = sessions;
        this.acls = acls;
        this.clock = clock;
        this.lastApplied = lastApplied;
        this.extendedTypesEnabled = extendedTypesEnabled;
        this.quotaEnforced = quotaEnforced;
        this.completion = completion;
        this.forwarder = forwarder;
        this.txnBytesMax = txnBytesMax;
    }

    public void start(Replicator replicator) {
        this.replicator = replicator;
        thread = new Thread(this, "paddock-prepare");
        thread.setDaemon(true);
        thread.start();
    }

    public void submit(Request r) {
        queue.add(r);
    }

    /** Drops every prepared-but-unapplied change, in queue order. */
    public void reset() {
        queue.add(RESET);
    }

    public int queued() {
        return queue.size();
    }

    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        while (running) {
            Request r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == RESET) {
                pending.clear();
                pendingEphemerals.clear();
                continue;
            }
            if (r.op != OpCode.SYNC && !forwarder.preparesHere()) {
                forward(r);
                continue;
            }
            try {
                prepare(r);
            } catch (KeeperError e) {
                if (r.isForwarded()) {
                    proposeError(r, e.code(), List.of());
                } else {
                    completion.failed(r, e.code());
                }
            } catch (NotLeaderException e) {
                // Not serving writes: the client will retry on another server (ZooKeeper closes the connection).
                LOG.debug("dropping {} on session 0x{}: {}", OpCode.name(r.op), Long.toHexString(r.sessionId),
                        e.getMessage());
                if (r.cnxn != null) {
                    r.cnxn.connection().close();
                }
            } catch (RuntimeException e) {
                LOG.error("prepare failed for {} on session 0x{}", OpCode.name(r.op), Long.toHexString(r.sessionId), e);
                if (r.isForwarded()) {
                    proposeError(r, ErrorCode.MARSHALLING_ERROR, List.of());
                } else {
                    completion.failed(r, ErrorCode.MARSHALLING_ERROR);
                }
            }
        }
    }

    /** Learner: hand a client's write to the leader; work the server made itself while leading is dropped. */
    private void forward(Request r) {
        if (r.cnxn == null) {
            LOG.debug("not preparing {} on session 0x{}: this server no longer prepares writes", OpCode.name(r.op),
                    Long.toHexString(r.sessionId));
            return;
        }
        try {
            forwarder.forward(r);
        } catch (NotLeaderException | RuntimeException e) {
            // No leader to take it: the client fails over to another server, as ZooKeeper's learners make it do.
            LOG.info("closing the connection of session 0x{}: cannot forward {}: {}", Long.toHexString(r.sessionId),
                    OpCode.name(r.op), e.toString());
            r.cnxn.connection().close();
        }
    }

    /** Proposes the error txn that carries a failed forwarded request back to its learner. */
    private void proposeError(Request r, int code, List<Integer> opErrors) {
        try {
            propose(r, new Txn.Error(code, opErrors), Map.of());
        } catch (KeeperError e) {
            // cannot happen for a txn of a few bytes; the learner's client times out and fails over
            LOG.error("error txn for forwarded {} of session 0x{} refused: {}", OpCode.name(r.op),
                    Long.toHexString(r.sessionId), e.getMessage());
        } catch (NotLeaderException e) {
            LOG.debug("dropping failed forwarded {} of session 0x{}: {}", OpCode.name(r.op),
                    Long.toHexString(r.sessionId), e.getMessage());
        }
    }

    private void prepare(Request r) throws KeeperError, NotLeaderException {
        if (r.rejectedWith() != 0) {
            throw new KeeperError(r.rejectedWith());
        }
        Session session = sessions.get(r.sessionId);
        if (r.op == OpCode.CREATE_SESSION) {
            CreateSessionInfo info = (CreateSessionInfo) r.record;
            propose(r, new Txn.CreateSession(info.timeoutMs(), info.password()), Map.of());
            return;
        }
        if (session == null || session.isClosing() && !(r.isInternal() && r.op == OpCode.CLOSE_SESSION)) {
            if (!(r.isInternal() && r.op == OpCode.DELETE_CONTAINER)) {
                throw new KeeperError(ErrorCode.SESSION_EXPIRED);
            }
        }
        if (r.op == OpCode.SYNC) {
            replicator.sync(r);
            return;
        }
        Map<String, NodeView> overlay = new LinkedHashMap<>();
        switch (r.op) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL:
                propose(r, create(r.op, r.record, r.sessionId, r.authIds, overlay), overlay);
                break;
            case OpCode.DELETE:
                propose(r, delete((DeleteRequest) r.record, r.authIds, overlay), overlay);
                break;
            case OpCode.SET_DATA:
                propose(r, setData((SetDataRequest) r.record, r.authIds, overlay), overlay);
                break;
            case OpCode.SET_ACL:
                propose(r, setAcl((SetACLRequest) r.record, r.authIds, overlay), overlay);
                break;
            case OpCode.MULTI:
                multi(r, (MultiRequest) r.record, overlay);
                break;
            case OpCode.CLOSE_SESSION:
                session.markClosing();
                propose(r, closeSession(r.sessionId, overlay), overlay);
                break;
            case OpCode.DELETE_CONTAINER:
                Txn reap = reap((String) r.record, overlay);
                if (reap != null) {
                    propose(r, reap, overlay);
                }
                break;
            default:
                throw new KeeperError(ErrorCode.UNIMPLEMENTED);
        }
    }

    /**
     * Encodes and proposes {@code txn}, then records its changes as prepared. A txn over {@code txnBytesMax} is not
     * proposed (a peer link could not carry it; see {@code ServerConfig.txnBytesMax}): MARSHALLINGERROR, and the
     * overlay is dropped, so nothing of the request stays prepared.
     */
    private void propose(Request r, Txn txn, Map<String, NodeView> overlay) throws KeeperError, NotLeaderException {
        ByteBuffer encoded = TxnCodec.encode(new TxnHeader(r.sessionId, r.xid, clock.currentTimeMillis()), txn);
        if (encoded.remaining() > txnBytesMax) {
            LOG.warn("refusing {} of session 0x{}: its txn of {} bytes is over the {} a peer link carries",
                    OpCode.name(r.op), Long.toHexString(r.sessionId), encoded.remaining(), txnBytesMax);
            throw new KeeperError(ErrorCode.MARSHALLING_ERROR);
        }
        long zxid = replicator.propose(encoded, r);
        for (Map.Entry<String, NodeView> e : overlay.entrySet()) {
            NodeView v = e.getValue();
            v.zxid = zxid;
            pending.put(e.getKey(), v);
            if (v.exists && EphemeralOwner.isSession(v.ephemeralOwner)) {
                pendingEphemerals.computeIfAbsent(v.ephemeralOwner, k -> new HashSet<>()).add(e.getKey());
            }
        }
        if (pending.size() > 4096) {
            prune();
        }
    }

    /** Drops prepared changes the tree already holds. */
    private void prune() {
        long applied = lastApplied.getAsLong();
        pending.values().removeIf(v -> v.zxid <= applied);
        pendingEphemerals.values().forEach(s -> s.removeIf(p -> !pending.containsKey(p)));
        pendingEphemerals.values().removeIf(Set::isEmpty);
    }

    private NodeView view(String path, Map<String, NodeView> overlay) {
        NodeView v = overlay.get(path);
        if (v != null) {
            return v;
        }
        v = pending.get(path);
        if (v != null) {
            if (v.zxid > lastApplied.getAsLong()) {
                return v;
            }
            pending.remove(path);
        }
        synchronized (tree.lockFor(path)) {
            return NodeView.of(tree.node(path));
        }
    }

    /** A copy of the node's view placed in the overlay, ready to be changed. */
    private NodeView change(String path, Map<String, NodeView> overlay) {
        NodeView v = overlay.get(path);
        if (v == null) {
            v = view(path, overlay).copy();
            overlay.put(path, v);
        }
        return v;
    }

    private Txn create(int op, Object record, long sessionId, List<Id> ids, Map<String, NodeView> overlay)
            throws KeeperError {
        String path;
        byte[] data;
        List<Acl> acl;
        int flags;
        long ttl = -1;
        if (record instanceof CreateTTLRequest t) {
            path = t.path();
            data = t.data();
            acl = t.acl();
            flags = t.flags();
            ttl = t.ttl();
        } else {
            CreateRequest c = (CreateRequest) record;
            path = c.path();
            data = c.data();
            acl = c.acl();
            flags = c.flags();
        }
        CreateMode mode = CreateMode.fromFlag(flags).orElseThrow(() -> new KeeperError(ErrorCode.BAD_ARGUMENTS));
        if (mode.isTtl() || op == OpCode.CREATE_TTL) {
            if (!extendedTypesEnabled) {
                throw new KeeperError(ErrorCode.UNIMPLEMENTED);
            }
            if (op != OpCode.CREATE_TTL || !mode.isTtl() || ttl <= 0 || ttl > CreateMode.TTL_MS_MAX) {
                throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
            }
        }
        if (op == OpCode.CREATE_CONTAINER && !mode.isContainer()) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        int lastSlash = path == null ? -1 : path.lastIndexOf('/');
        if (lastSlash < 0 || path.indexOf('\0') >= 0) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        List<Acl> fixed = acls.fixup(acl, ids);
        String parentPath = lastSlash == 0 ? "/" : path.substring(0, lastSlash);
        NodeView parent = view(parentPath, overlay);
        if (!parent.exists) {
            throw new KeeperError(ErrorCode.NO_NODE);
        }
        acls.check(parent.acl, ids, Perms.CREATE);
        if (mode.isSequential()) {
            path = path + String.format("%010d", parent.createdChildren);
        }
        if (!PathRules.isValid(path) || "/".equals(path)) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        if (view(path, overlay).exists) {
            throw new KeeperError(ErrorCode.NODE_EXISTS);
        }
        if (EphemeralOwner.isSession(parent.ephemeralOwner)) {
            throw new KeeperError(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS);
        }
        checkQuota(path, 1, data == null ? 0 : data.length);
        long owner;
        if (mode.isEphemeral()) {
            owner = sessionId;
        } else if (mode.isContainer()) {
            owner = EphemeralOwner.CONTAINER;
        } else if (mode.isTtl()) {
            owner = EphemeralOwner.ttl(ttl);
        } else {
            owner = EphemeralOwner.PERSISTENT;
        }
        NodeView p = change(parentPath, overlay);
        p.createdChildren++;
        p.numChildren++;
        overlay.put(path, new NodeView(true, fixed, 0, 0, 0, 0, owner, data == null ? 0 : data.length));
        return new Txn.Create(path, data, fixed, owner, p.createdChildren);
    }

    /**
     * Hard quota limits (WIRE-PROTOCOL.md §10.5 step k), against the usage recorded in the subtree's stats node.
     * Changes prepared but not yet applied are not counted, so a burst can overshoot by what is in flight.
     */
    private void checkQuota(String path, int countDelta, int bytesDelta) throws KeeperError {
        if (!quotaEnforced) {
            return;
        }
        String subtree = tree.quotas().subtreeFor(path);
        if (subtree == null) {
            return;
        }
        Quotas.Limits limits = tree.quotas().limits(subtree);
        Quotas.Usage usage = tree.quotaUsage(subtree);
        if (usage == null) {
            return;
        }
        if (limits.countHard() >= 0 && countDelta > 0 && usage.count() + countDelta > limits.countHard()
                || limits.bytesHard() >= 0 && bytesDelta > 0 && usage.bytes() + bytesDelta > limits.bytesHard()) {
            throw new KeeperError(ErrorCode.QUOTA_EXCEEDED);
        }
    }

    private Txn delete(DeleteRequest d, List<Id> ids, Map<String, NodeView> overlay) throws KeeperError {
        String path = d.path();
        if (!PathRules.isValid(path) || DataTree.isBuiltIn(path)) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        String parentPath = PathRules.parentOf(path);
        NodeView parent = view(parentPath, overlay);
        if (!parent.exists) {
            throw new KeeperError(ErrorCode.NO_NODE);
        }
        acls.check(parent.acl, ids, Perms.DELETE);
        NodeView node = view(path, overlay);
        if (!node.exists) {
            throw new KeeperError(ErrorCode.NO_NODE);
        }
        if (d.version() != -1 && d.version() != node.version) {
            throw new KeeperError(ErrorCode.BAD_VERSION);
        }
        if (node.numChildren > 0) {
            throw new KeeperError(ErrorCode.NOT_EMPTY);
        }
        markDeleted(path, overlay);
        return new Txn.Delete(path);
    }

    private void markDeleted(String path, Map<String, NodeView> overlay) {
        NodeView p = change(PathRules.parentOf(path), overlay);
        p.numChildren--;
        overlay.put(path, NodeView.MISSING.copy());
    }

    private Txn setData(SetDataRequest s, List<Id> ids, Map<String, NodeView> overlay) throws KeeperError {
        String path = s.path();
        if (!PathRules.isValid(path)) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        NodeView node = view(path, overlay);
        if (!node.exists) {
            throw new KeeperError(ErrorCode.NO_NODE);
        }
        acls.check(node.acl, ids, Perms.WRITE);
        if (s.version() != -1 && s.version() != node.version) {
            throw new KeeperError(ErrorCode.BAD_VERSION);
        }
        int newLength = s.data() == null ? 0 : s.data().length;
        checkQuota(path, 0, newLength - node.dataLength);
        NodeView n = change(path, overlay);
        n.version++;
        n.dataLength = newLength;
        return new Txn.SetData(path, s.data(), n.version);
    }

    private Txn setAcl(SetACLRequest s, List<Id> ids, Map<String, NodeView> overlay) throws KeeperError {
        String path = s.path();
        if (!PathRules.isValid(path)) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        List<Acl> fixed = acls.fixup(s.acl(), ids);
        NodeView node = view(path, overlay);
        if (!node.exists) {
            throw new KeeperError(ErrorCode.NO_NODE);
        }
        acls.check(node.acl, ids, Perms.ADMIN);
        if (s.version() != -1 && s.version() != node.aversion) {
            throw new KeeperError(ErrorCode.BAD_VERSION);
        }
        NodeView n = change(path, overlay);
        n.aversion++;
        n.acl = fixed;
        return new Txn.SetAcl(path, fixed, n.aversion);
    }

    private void check(CheckVersionRequest c, List<Id> ids, Map<String, NodeView> overlay) throws KeeperError {
        String path = c.path();
        if (!PathRules.isValid(path)) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        NodeView node = view(path, overlay);
        if (!node.exists) {
            throw new KeeperError(ErrorCode.NO_NODE);
        }
        acls.check(node.acl, ids, Perms.READ);
        if (c.version() != -1 && c.version() != node.version) {
            throw new KeeperError(ErrorCode.BAD_VERSION);
        }
    }

    /** multi: every sub-op sees the earlier ones; the first failure fails all (WIRE-PROTOCOL.md §5.11). */
    private void multi(Request r, MultiRequest m, Map<String, NodeView> overlay)
            throws KeeperError, NotLeaderException {
        if (!m.allWrites()) {
            throw new KeeperError(ErrorCode.MARSHALLING_ERROR);
        }
        List<MultiOp> ops = m.ops();
        int[] types = new int[ops.size()];
        List<Txn> txns = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            MultiOp op = ops.get(i);
            types[i] = op.type();
            try {
                switch (op.type()) {
                    case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL:
                        txns.add(create(op.type(), op.request(), r.sessionId, r.authIds, overlay));
                        break;
                    case OpCode.DELETE:
                        txns.add(delete((DeleteRequest) op.request(), r.authIds, overlay));
                        break;
                    case OpCode.SET_DATA:
                        txns.add(setData((SetDataRequest) op.request(), r.authIds, overlay));
                        break;
                    case OpCode.CHECK:
                        check((CheckVersionRequest) op.request(), r.authIds, overlay);
                        break;
                    default:
                        throw new KeeperError(ErrorCode.MARSHALLING_ERROR);
                }
            } catch (KeeperError e) {
                List<Integer> codes = new ArrayList<>(ops.size());
                for (int j = 0; j < ops.size(); j++) {
                    codes.add(j < i ? ErrorCode.OK : j == i ? e.code() : ErrorCode.RUNTIME_INCONSISTENCY);
                }
                if (r.isForwarded()) {
                    proposeError(r, e.code(), codes);
                } else {
                    completion.answered(r, failedMulti(codes));
                }
                return;
            }
        }
        if (txns.isEmpty()) {
            // Only checks (or nothing): nothing changes, but the reply still goes through apply to keep its order.
            r.prepared = new MultiPlan(types);
            propose(r, new Txn.Multi(List.of()), overlay);
            return;
        }
        r.prepared = new MultiPlan(types);
        propose(r, new Txn.Multi(txns), overlay);
    }

    /** The reply body of a multi that failed: one error result per op (WIRE-PROTOCOL.md §5.11). */
    public static MultiResponse failedMulti(List<Integer> codes) {
        List<MultiResult> results = new ArrayList<>(codes.size());
        for (int err : codes) {
            results.add(new MultiResult(OpCode.ERROR, err, new ErrorResponse(err)));
        }
        return new MultiResponse(results);
    }

    private Txn closeSession(long sessionId, Map<String, NodeView> overlay) {
        Set<String> candidates = new HashSet<>(tree.ephemerals(sessionId));
        Set<String> pendingOwn = pendingEphemerals.remove(sessionId);
        if (pendingOwn != null) {
            candidates.addAll(pendingOwn);
        }
        for (String path : candidates) {
            NodeView v = view(path, overlay);
            if (v.exists && v.ephemeralOwner == sessionId) {
                markDeleted(path, overlay);
            }
        }
        return new Txn.CloseSession();
    }

    /** The reaper's delete: only if the node is still an empty container or an expired TTL node. */
    private Txn reap(String path, Map<String, NodeView> overlay) {
        NodeView v = view(path, overlay);
        if (v.zxid > lastApplied.getAsLong()) {
            // A change to it is prepared but not applied (a setData that refreshes a TTL, a new child): the reaper
            // judged the applied tree, so it may be stale. Look again next round.
            return null;
        }
        if (!v.exists || v.numChildren > 0 || EphemeralOwner.isSession(v.ephemeralOwner)
                || v.ephemeralOwner == EphemeralOwner.PERSISTENT) {
            return null;
        }
        markDeleted(path, overlay);
        return new Txn.Delete(path);
    }
}
