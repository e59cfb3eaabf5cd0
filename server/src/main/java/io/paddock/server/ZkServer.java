package io.paddock.server;

import io.paddock.api.Id;
import io.paddock.api.Stat;
import io.paddock.api.auth.AuthScheme;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import io.paddock.api.time.Clock;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Connection;
import io.paddock.api.transport.ConnectionHandler;
import io.paddock.protocol.AddWatchRequest;
import io.paddock.protocol.AuthPacket;
import io.paddock.protocol.CheckWatchesRequest;
import io.paddock.protocol.ConnectRequest;
import io.paddock.protocol.ConnectResponse;
import io.paddock.protocol.Create2Response;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.CreateResponse;
import io.paddock.protocol.CreateTTLRequest;
import io.paddock.protocol.DeleteRequest;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.EventType;
import io.paddock.protocol.ExistsRequest;
import io.paddock.protocol.GetACLRequest;
import io.paddock.protocol.GetAllChildrenNumberRequest;
import io.paddock.protocol.GetChildren2Request;
import io.paddock.protocol.GetChildrenRequest;
import io.paddock.protocol.GetDataRequest;
import io.paddock.protocol.GetEphemeralsRequest;
import io.paddock.protocol.JuteInput;
import io.paddock.protocol.JuteOutput;
import io.paddock.protocol.JuteRecord;
import io.paddock.protocol.MalformedRecordException;
import io.paddock.protocol.MultiRequest;
import io.paddock.protocol.MultiResponse;
import io.paddock.protocol.MultiResult;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.ReconfigRequest;
import io.paddock.protocol.RemoveWatchesRequest;
import io.paddock.protocol.RequestHeader;
import io.paddock.protocol.SetACLRequest;
import io.paddock.protocol.SetACLResponse;
import io.paddock.protocol.SetDataRequest;
import io.paddock.protocol.SetDataResponse;
import io.paddock.protocol.SetWatches;
import io.paddock.protocol.SetWatches2;
import io.paddock.protocol.SyncRequest;
import io.paddock.protocol.SyncResponse;
import io.paddock.protocol.WatcherEvent;
import io.paddock.protocol.Xids;
import io.paddock.server.admin.DigestLog;
import io.paddock.server.admin.FourLetterWords;
import io.paddock.server.admin.ServerStats;
import io.paddock.server.pipeline.AclChecker;
import io.paddock.server.pipeline.ClientConnection;
import io.paddock.server.pipeline.CreateSessionInfo;
import io.paddock.server.pipeline.KeeperError;
import io.paddock.server.pipeline.PrepareStage;
import io.paddock.server.pipeline.Replies;
import io.paddock.server.pipeline.Request;
import io.paddock.server.pipeline.RequestExecutor;
import io.paddock.server.session.Session;
import io.paddock.server.session.SessionTracker;
import io.paddock.server.tree.DataNode;
import io.paddock.server.tree.DataTree;
import io.paddock.server.tree.EphemeralOwner;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.server.txn.TxnHeader;
import io.paddock.server.watch.WatchManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper-compatible server: client connections in ({@link #connectionHandler()}), replicated txns in
 * ({@link #stateMachine()}). The request path is ARCHITECTURE.md's: decode on the transport thread; reads run at
 * once against the tree (no global lock) unless an earlier request of the same session is still in flight; writes go
 * to the {@link PrepareStage}, then to the {@link Replicator}, and come back through {@link StateMachine#apply} on
 * one thread, which changes the tree, fires watches, and releases the session's replies in order.
 *
 * <p>In an ensemble the same path serves every role. On a learner (follower, observer) the prepare thread forwards
 * each write-class request to the leader ({@link Replicator#forward}) and keeps it in {@code forwards} under its
 * (session, cxid); the leader prepares it ({@link StateMachine#prepareForwarded}) and proposes a txn, or an error txn
 * if it fails; when the learner applies a txn whose header names a request it waits for, it answers that client from
 * the apply exactly as for a local write. Only a server that prepares writes expires sessions; learners report their
 * clients' activity with {@link Replicator#touchSession}.
 */
public final class ZkServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZkServer.class);
    private static final byte[] NO_PASSWORD = new byte[16];

    private final ServerConfig config;
    private final Clock clock;
    private final Ticker ticker;
    private final WatchManager watches;
    private final DataTree tree;
    private final SessionTracker sessions;
    private final AclChecker acls;
    private final PrepareStage prepare;
    private final ServerStats stats = new ServerStats();
    private final DigestLog digestLog = new DigestLog();
    private final FourLetterWords fourLetterWords;
    private final Reads reads;
    private final TreeSnapshot snapshots;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final Handler handler = new Handler();
    private final Machine machine = new Machine();
    private final Executor executor = new Executor();
    /** Learner: forwarded requests waiting for their txn, by (session, cxid). Bounded by the connections' limits. */
    private final Map<ForwardKey, Request> forwards = new ConcurrentHashMap<>();

    private record ForwardKey(long sessionId, int cxid) {}

    private volatile long lastApplied;
    private volatile Role role = Role.LOOKING;
    private volatile Replicator replicator;
    private volatile ClientListener listener;
    private volatile ClientListener secureListener;
    private volatile byte[] membership;
    private volatile boolean running;
    private Thread ticking;

    public ZkServer(ServerConfig config, Clock clock, Ticker ticker, Collection<AuthScheme> authSchemes) {
        this.config = config;
        this.clock = clock;
        this.ticker = ticker;
        Map<String, AuthScheme> byName = new HashMap<>();
        for (AuthScheme s : authSchemes) {
            if (byName.put(s.scheme(), s) != null) {
                throw new IllegalArgumentException("two auth schemes named " + s.scheme());
            }
        }
        this.acls = new AclChecker(byName);
        this.watches = new WatchManager(ev -> Replies.of(Xids.NOTIFICATION, ev.zxid(),
                new WatcherEvent(ev.type(), EventType.STATE_SYNC_CONNECTED, ev.path())));
        this.tree = new DataTree(watches);
        this.sessions = new SessionTracker(config.serverId(), clock.currentTimeMillis(), ticker, config.tickTimeMs());
        this.prepare = new PrepareStage(tree, sessions, acls, clock, () -> lastApplied, config.extendedTypesEnabled(),
                config.quotaEnforced(),
                new PrepareStage.Completion() {
                    @Override
                    public void failed(Request r, int err) {
                        complete(r, Replies.header(r.xid, lastApplied, err));
                    }

                    @Override
                    public void answered(Request r, MultiResponse body) {
                        complete(r, Replies.of(r.xid, lastApplied, body));
                    }
                },
                new PrepareStage.Forwarder() {
                    @Override
                    public boolean preparesHere() {
                        return role.prepares();
                    }

                    @Override
                    public void forward(Request r) throws NotLeaderException {
                        forwardToLeader(r);
                    }
                }, config.txnBytesMax());
        this.reads = new Reads(tree, watches, acls);
        this.snapshots = new TreeSnapshot(tree, sessions, config);
        this.fourLetterWords = new FourLetterWords(config.fourLetterWords(),
                new StatusView(this, tree, watches, sessions, stats, connections, prepare, config, clock, ticker));
    }

    /** The handler to give to the transport's client listener. */
    public ConnectionHandler connectionHandler() {
        return handler;
    }

    /** The state machine to give to the replicator. */
    public StateMachine stateMachine() {
        return machine;
    }

    /** Starts serving; writes go to {@code replicator}. */
    public synchronized void start(Replicator replicator) {
        if (running) {
            throw new IllegalStateException("already started");
        }
        this.replicator = replicator;
        this.role = replicator.role();
        this.lastApplied = Math.max(lastApplied, machine.lastAppliedZxid());
        running = true;
        prepare.start(replicator);
        ticking = new Thread(this::tickLoop, "paddock-session-expiry");
        ticking.setDaemon(true);
        ticking.start();
    }

    /** Tells the server where clients reach it (for 4lw conf/srvr output and connection counts). */
    public void clientListenerBound(ClientListener listener) {
        this.listener = listener;
    }

    /** As {@link #clientListenerBound}, for the TLS client port (ZooKeeper's {@code secureClientPort}). */
    public void secureClientListenerBound(ClientListener listener) {
        this.secureListener = listener;
    }

    /** The {@code envi} lines; distro gathers them because only distro reads system properties. */
    public void environment(Map<String, String> values) {
        fourLetterWords.environment(values);
    }

    public long lastAppliedZxid() {
        return lastApplied;
    }

    /**
     * Sets the data of {@code /zookeeper/config} to the ensemble's membership in ZooKeeper's dynamic-config format
     * ({@code server.N=host:quorumPort:electionPort:participant;clientHost:clientPort} lines, then {@code version=0}),
     * so {@code getConfig} and {@code zkCli config} show it. Not a txn: every server derives the text from its own
     * config; it is put back after every snapshot restore. Called by {@code distro}.
     */
    public void ensembleMembership(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        membership = data;
        tree.setSystemData(DataTree.CONFIG, data);
    }

    /** Whether clients are served: started, not closed, and in a role other than LOOKING. */
    boolean serving() {
        return running && role != Role.LOOKING;
    }

    /** The session table's entry (tests). */
    Session session(long sessionId) {
        return sessions.get(sessionId);
    }

    /** Learner: forwarded requests waiting for their txn (for tests and status). */
    int forwardsWaiting() {
        return forwards.size();
    }

    /** The tree digest: equal on every replica that applied the same txns (see {@link DataTree#digest()}). */
    public long treeDigest() {
        return tree.digest();
    }

    DigestLog digestLog() {
        return digestLog;
    }

    Role role() {
        return role;
    }

    ClientListener clientListener() {
        return listener;
    }

    ClientListener secureClientListener() {
        return secureListener;
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        if (ticking != null) {
            ticking.interrupt();
        }
        prepare.stop();
        for (ClientConnection c : connections) {
            c.connection().close();
        }
        forwards.clear();
    }

    private void complete(Request r, ByteBuffer reply) {
        if (r.cnxn != null) {
            r.cnxn.complete(r, reply);
        }
    }

    // ------------------------------------------------------------------ learner: forwarding to the leader

    /**
     * Runs on the prepare thread, in the order the session's requests were queued (so a later sync leaves after it).
     * The request is registered before it is sent, because its txn may be applied before {@code forward} returns.
     */
    private void forwardToLeader(Request r) throws NotLeaderException {
        ForwardKey key = new ForwardKey(r.sessionId, r.xid);
        byte[] body;
        try {
            body = forwardedBody(r);
        } catch (RuntimeException e) {
            LOG.warn("cannot encode {} of session 0x{} for the leader", OpCode.name(r.op), Long.toHexString(r.sessionId),
                    e);
            r.cnxn.connection().close();
            return;
        }
        if (r.op == OpCode.MULTI) {
            List<io.paddock.protocol.MultiOp> ops = ((MultiRequest) r.record).ops();
            int[] types = new int[ops.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = ops.get(i).type();
            }
            r.prepared = new PrepareStage.MultiPlan(types);
        }
        if (forwards.putIfAbsent(key, r) != null) {
            // The client reused the xid of a write still in flight: its replies could not be told apart.
            LOG.info("closing {}: session 0x{} reused cxid {} while a write with it is in flight",
                    r.cnxn.connection().remoteAddress(), Long.toHexString(r.sessionId), r.xid);
            r.cnxn.connection().close();
            return;
        }
        if (!r.cnxn.isAlive()) {
            // Closed while queued (connectionClosed may have looked before we registered): nobody to answer. A
            // closeSession still goes, unregistered: the client asked for it and the session must not linger.
            forwards.remove(key, r);
            if (r.op != OpCode.CLOSE_SESSION) {
                return;
            }
        }
        String[] ids = new String[r.authIds.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.authIds.get(i).scheme() + ":" + r.authIds.get(i).id();
        }
        try {
            replicator.forward(new ForwardedRequest(config.serverId(), r.sessionId, r.xid, r.op, body, ids));
        } catch (NotLeaderException | RuntimeException e) {
            forwards.remove(key, r);
            throw e;
        }
    }

    /** The body a forwarded request carries: the request record re-encoded; createSession's is ours (see below). */
    private static byte[] forwardedBody(Request r) {
        JuteOutput out = JuteOutput.plain();
        if (r.op == OpCode.CREATE_SESSION) {
            CreateSessionInfo info = (CreateSessionInfo) r.record;
            out.writeInt(info.timeoutMs()).writeBuffer(info.password()).writeBool(info.readOnlyByte());
        } else if (r.record instanceof JuteRecord rec) {
            rec.write(out);
        }
        return out.toByteArray();
    }

    /** Ops a learner may forward, and so the only ones a leader prepares for one. */
    private static boolean forwardable(int op) {
        switch (op) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL, OpCode.DELETE,
                    OpCode.SET_DATA, OpCode.SET_ACL, OpCode.MULTI, OpCode.CREATE_SESSION, OpCode.CLOSE_SESSION:
                return true;
            default:
                return false;
        }
    }

    /** Leader: a learner's request as the prepare stage takes it; never throws on a bad body. */
    private Request fromLearner(ForwardedRequest f) {
        int op = f.opCode();
        if (!forwardable(op)) {
            LOG.warn("peer {} forwarded op {} of session 0x{}, which is not a forwardable write", f.origin(), op,
                    Long.toHexString(f.sessionId()));
            return Request.forwardedRejected(f.sessionId(), f.cxid(), op, ErrorCode.UNIMPLEMENTED);
        }
        Object record;
        try {
            JuteInput in = JuteInput.of(f.body());
            if (op == OpCode.CREATE_SESSION) {
                int timeout = in.readInt();
                byte[] password = in.readBuffer();
                boolean readOnly = in.readBool();
                if (timeout <= 0 || password == null || password.length != 16) {
                    throw new MalformedRecordException("createSession with timeout " + timeout + " and a "
                            + (password == null ? "missing" : password.length + "-byte") + " password");
                }
                record = new CreateSessionInfo(timeout, password, readOnly);
            } else {
                record = decode(op, in);
            }
            if (op == OpCode.MULTI && !((MultiRequest) record).allWrites()) {
                throw new MalformedRecordException("multi with reads");
            }
        } catch (RuntimeException e) {
            LOG.warn("undecodable {} forwarded by peer {} for session 0x{}: {}", OpCode.name(op), f.origin(),
                    Long.toHexString(f.sessionId()), e.toString());
            return Request.forwardedRejected(f.sessionId(), f.cxid(), op, ErrorCode.MARSHALLING_ERROR);
        }
        List<Id> ids = new ArrayList<>(f.authIds().length);
        for (String s : f.authIds()) {
            int colon = s == null ? -1 : s.indexOf(':');
            if (colon > 0) {
                ids.add(new Id(s.substring(0, colon), s.substring(colon + 1)));
            }
        }
        return Request.forwarded(f.sessionId(), f.cxid(), op, record, List.copyOf(ids));
    }

    // ------------------------------------------------------------------ session expiry and container reaping

    private void tickLoop() {
        long nextReapMs = ticker.millis() + config.containerCheckIntervalMs();
        while (running) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(config.tickTimeMs()));
            if (Thread.interrupted() || !running) {
                return;
            }
            if (!role.prepares()) {
                continue;
            }
            for (Session s : sessions.expired()) {
                LOG.info("expiring session 0x{}, timeout of {} ms exceeded", Long.toHexString(s.id()), s.timeoutMs());
                s.markClosing();
                Object owner = s.owner();
                if (owner instanceof ClientConnection c) {
                    c.connection().close();
                }
                prepare.submit(Request.internal(s.id(), OpCode.CLOSE_SESSION, null));
            }
            if (ticker.millis() >= nextReapMs) {
                nextReapMs = ticker.millis() + config.containerCheckIntervalMs();
                reapContainers();
            }
        }
    }

    /** Containers that had children and have none left, and TTL nodes idle past their TTL (WIRE-PROTOCOL.md §10.6). */
    private void reapContainers() {
        long now = clock.currentTimeMillis();
        for (String path : tree.reapablePaths()) {
            boolean reap;
            synchronized (tree.lockFor(path)) {
                DataNode n = tree.node(path);
                if (n == null || n.numChildren() > 0) {
                    continue;
                }
                long owner = n.ephemeralOwner();
                reap = EphemeralOwner.isContainer(owner) ? n.createdChildren() > 0
                        : EphemeralOwner.isTtl(owner) && now - n.mtime() > EphemeralOwner.ttlMs(owner);
            }
            if (reap) {
                prepare.submit(Request.internal(0, OpCode.DELETE_CONTAINER, path));
            }
        }
    }

    // ------------------------------------------------------------------ transport side

    private final class Handler implements ConnectionHandler {
        @Override
        public Object connectionOpened(Connection connection) {
            ClientConnection c = new ClientConnection(connection, executor, acls, config.outstandingRequestsMax(),
                    clock.currentTimeMillis());
            connections.add(c);
            return c;
        }

        @Override
        public void frameReceived(Connection connection, Object attachment, ByteBuffer payload) {
            ClientConnection c = (ClientConnection) attachment;
            stats.received();
            synchronized (c) {
                if (c.state() == ClientConnection.State.CONNECTING || c.hasEarlyFrames()) {
                    byte[] copy = new byte[payload.remaining()];
                    payload.get(copy);
                    if (!c.holdEarlyFrame(copy)) {
                        LOG.warn("closing {}: too many requests before the session was established",
                                connection.remoteAddress());
                        connection.close();
                    }
                    return;
                }
            }
            try {
                if (c.state() == ClientConnection.State.NEW) {
                    connect(c, payload);
                } else if (c.state() == ClientConnection.State.ACTIVE) {
                    request(c, payload);
                }
            } catch (MalformedRecordException e) {
                LOG.debug("closing {}: {}", connection.remoteAddress(), e.getMessage());
                connection.close();
            }
        }

        @Override
        public void connectionClosed(Connection connection, Object attachment) {
            ClientConnection c = (ClientConnection) attachment;
            connections.remove(c);
            c.closed();
            if (!forwards.isEmpty()) {
                forwards.values().removeIf(r -> r.cnxn == c);
            }
            watches.removeWatcher(c);
            Session s = c.session();
            if (s != null && s.owner() == c) {
                s.owner(null);
            }
        }

        @Override
        public String fourLetterWord(Connection connection, String command) {
            return fourLetterWords.answer(command);
        }
    }

    /** The first frame: a ConnectRequest (WIRE-PROTOCOL.md §2.5). */
    private void connect(ClientConnection c, ByteBuffer payload) {
        ConnectRequest req = ConnectRequest.read(new JuteInput(payload));
        Connection conn = c.connection();
        c.readOnlyByte(req.hasReadOnly());
        if (!running || role == Role.LOOKING) {
            conn.close();
            return;
        }
        if (req.lastZxidSeen() > lastApplied) {
            LOG.info("refusing {}: client has seen zxid 0x{}, ours is 0x{}", conn.remoteAddress(),
                    Long.toHexString(req.lastZxidSeen()), Long.toHexString(lastApplied));
            conn.close();
            return;
        }
        int timeout = Math.min(Math.max(req.timeOut(), config.sessionTimeoutMsMin()), config.sessionTimeoutMsMax());
        if (req.sessionId() == 0) {
            long id = sessions.nextSessionId();
            byte[] password = sessions.passwordFor(id);
            c.state(ClientConnection.State.CONNECTING);
            Request r = new Request(c, id, 0, OpCode.CREATE_SESSION,
                    new CreateSessionInfo(timeout, password, req.hasReadOnly()), true, ticker.nanoTime(), List.of());
            prepare.submit(r);
            return;
        }
        Session s = sessions.get(req.sessionId());
        if (s == null || s.isClosing() || !sessions.passwordMatches(s, req.passwd())) {
            LOG.info("refusing reconnect of session 0x{} from {}: {}", Long.toHexString(req.sessionId()),
                    conn.remoteAddress(), s == null || s.isClosing() ? "expired or unknown" : "wrong password");
            c.sendUnordered(connectResponse(0, 0, NO_PASSWORD, req.hasReadOnly()));
            c.state(ClientConnection.State.CLOSED);
            conn.closeAfterFlush();
            return;
        }
        Object previous = s.owner();
        if (previous instanceof ClientConnection old && old != c) {
            LOG.info("session 0x{} moved to {}; closing its old connection {}", Long.toHexString(s.id()),
                    conn.remoteAddress(), old.connection().remoteAddress());
            old.connection().close();
        }
        sessions.touch(s, timeout);
        if (!role.prepares()) {
            replicator.touchSession(s.id(), timeout);
        }
        bind(c, s, timeout);
    }

    private ByteBuffer connectResponse(int timeout, long sessionId, byte[] password, boolean readOnlyByte) {
        JuteOutput out = JuteOutput.forFrame(40);
        new ConnectResponse(0, timeout, sessionId, password, false, readOnlyByte).write(out);
        return out.toFrame();
    }

    /** Binds a ready session to its connection, answers the handshake, then runs what the client pipelined. */
    private void bind(ClientConnection c, Session s, int timeout) {
        synchronized (c) {
            if (c.state() == ClientConnection.State.CLOSED || !c.connection().isOpen()) {
                return;
            }
            s.owner(c);
            c.session(s);
            c.state(ClientConnection.State.ACTIVE);
            c.sendUnordered(connectResponse(timeout, s.id(), s.password(), c.readOnlyByte()));
            byte[] early;
            while ((early = c.pollEarlyFrame()) != null) {
                request(c, ByteBuffer.wrap(early));
                if (c.state() != ClientConnection.State.ACTIVE) {
                    break;
                }
            }
        }
    }

    /** A request after the handshake. */
    private void request(ClientConnection c, ByteBuffer payload) {
        Session s = c.session();
        if (s != null && !s.isClosing()) {
            sessions.touch(s);
            if (!role.prepares()) {
                // The leader expires sessions; it learns of this one's life only from these (batched) reports.
                replicator.touchSession(s.id(), s.timeoutMs());
            }
        }
        RequestHeader h = RequestHeader.read(new JuteInput(payload));
        c.recordReceived(h.xid(), OpCode.name(h.type()));
        long now = ticker.nanoTime();
        long sid = c.sessionId();
        int op = h.type();
        if (op == OpCode.AUTH) {
            auth(c, payload);
            return;
        }
        if (!OpCode.isValidClientOp(op) || op == OpCode.CHECK || op == OpCode.DELETE_CONTAINER
                || op == OpCode.SASL) {
            // ZooKeeper answers an op it cannot run with UNIMPLEMENTED and drops the connection.
            Request r = new Request(c, sid, h.xid(), op, null, false, now, List.of());
            r.closeAfterReply();
            c.submitCompleted(r, Replies.header(h.xid(), lastApplied, ErrorCode.UNIMPLEMENTED));
            return;
        }
        if (s == null || s.isClosing()) {
            Request r = new Request(c, sid, h.xid(), op, null, false, now, List.of());
            c.submitCompleted(r, Replies.header(h.xid(), lastApplied, ErrorCode.SESSION_EXPIRED));
            return;
        }
        Object record;
        try {
            record = decode(op, new JuteInput(payload));
        } catch (MalformedRecordException e) {
            LOG.debug("undecodable {} from {}: {}", OpCode.name(op), c.connection().remoteAddress(), e.getMessage());
            Request r = new Request(c, sid, h.xid(), op, null, false, now, List.of());
            c.submitCompleted(r, Replies.header(h.xid(), lastApplied, ErrorCode.MARSHALLING_ERROR));
            return;
        }
        if (op == OpCode.RECONFIG) {
            Request r = new Request(c, sid, h.xid(), op, record, false, now, List.of());
            c.submitCompleted(r, Replies.header(h.xid(), lastApplied, ErrorCode.RECONFIG_DISABLED));
            return;
        }
        if (op == OpCode.MULTI && !((MultiRequest) record).allWrites()
                || op == OpCode.MULTI_READ && !((MultiRequest) record).allReads()) {
            Request r = new Request(c, sid, h.xid(), op, record, false, now, List.of());
            c.submitCompleted(r, Replies.header(h.xid(), lastApplied, ErrorCode.MARSHALLING_ERROR));
            return;
        }
        boolean writeClass = OpCode.isWrite(op) || op == OpCode.SYNC;
        c.submit(new Request(c, sid, h.xid(), op, record, writeClass, now, c.authIds()));
    }

    private static Object decode(int op, JuteInput in) {
        switch (op) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER:
                return CreateRequest.read(in);
            case OpCode.CREATE_TTL:
                return CreateTTLRequest.read(in);
            case OpCode.DELETE:
                return DeleteRequest.read(in);
            case OpCode.EXISTS:
                return ExistsRequest.read(in);
            case OpCode.GET_DATA:
                return GetDataRequest.read(in);
            case OpCode.SET_DATA:
                return SetDataRequest.read(in);
            case OpCode.GET_ACL:
                return GetACLRequest.read(in);
            case OpCode.SET_ACL:
                return SetACLRequest.read(in);
            case OpCode.GET_CHILDREN:
                return GetChildrenRequest.read(in);
            case OpCode.GET_CHILDREN2:
                return GetChildren2Request.read(in);
            case OpCode.SYNC:
                return SyncRequest.read(in);
            case OpCode.MULTI, OpCode.MULTI_READ:
                return MultiRequest.read(in);
            case OpCode.RECONFIG:
                return ReconfigRequest.read(in);
            case OpCode.CHECK_WATCHES:
                return CheckWatchesRequest.read(in);
            case OpCode.REMOVE_WATCHES:
                return RemoveWatchesRequest.read(in);
            case OpCode.SET_WATCHES:
                return SetWatches.read(in);
            case OpCode.SET_WATCHES2:
                return SetWatches2.read(in);
            case OpCode.GET_EPHEMERALS:
                return GetEphemeralsRequest.read(in);
            case OpCode.GET_ALL_CHILDREN_NUMBER:
                return GetAllChildrenNumberRequest.read(in);
            case OpCode.ADD_WATCH:
                return AddWatchRequest.read(in);
            default:
                return null; // ping, closeSession, whoAmI: no body
        }
    }

    /** Auth is answered at once, outside the request order, as ZooKeeper does (WIRE-PROTOCOL.md §8.5). */
    private void auth(ClientConnection c, ByteBuffer payload) {
        AuthPacket p;
        try {
            p = AuthPacket.read(new JuteInput(payload));
        } catch (MalformedRecordException e) {
            p = null;
        }
        AuthScheme scheme = p == null || p.scheme() == null ? null : acls.scheme(p.scheme());
        List<Id> ids = scheme == null ? List.of()
                : scheme.authenticate(c.connection().remoteAddress(), p.auth() == null ? new byte[0] : p.auth());
        if (ids.isEmpty()) {
            LOG.info("auth failed for {} with scheme {}", c.connection().remoteAddress(),
                    p == null ? "<undecodable>" : p.scheme());
            c.sendUnordered(Replies.header(Xids.AUTH, 0, ErrorCode.AUTH_FAILED));
            c.connection().closeAfterFlush();
            return;
        }
        c.addAuthIds(ids);
        c.sendUnordered(Replies.header(Xids.AUTH, 0, ErrorCode.OK));
    }

    // ------------------------------------------------------------------ reads

    private final class Executor implements RequestExecutor {
        @Override
        public ByteBuffer executeRead(Request r) {
            long zxid = lastApplied;
            if (r.op == OpCode.PING) {
                return Replies.header(Xids.PING, zxid, ErrorCode.OK);
            }
            if (r.op == OpCode.SYNC) {
                // Completed by the replicator; built now, behind the session's earlier replies.
                return Replies.of(r.xid, zxid, new SyncResponse(((SyncRequest) r.record).path()));
            }
            // The session was checked when the request arrived; a close prepared since then (even one pipelined
            // behind this read) does not fail it, as in ZooKeeper.
            try {
                JuteRecord body = reads.read(r.cnxn, r.op, r.record, r.authIds);
                return body == null ? Replies.header(r.xid, zxid, ErrorCode.OK) : Replies.of(r.xid, zxid, body);
            } catch (KeeperError e) {
                return Replies.header(r.xid, zxid, e.code());
            }
        }

        @Override
        public void submitWrite(Request request) {
            prepare.submit(request);
        }

        @Override
        public void replySent(Request r) {
            stats.sent();
            if (r.receivedNanos != 0) {
                long ms = TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - r.receivedNanos);
                stats.latency(ms);
                r.cnxn.recordLatency(ms, lastApplied, clock.currentTimeMillis());
            }
        }
    }

    // ------------------------------------------------------------------ replicated side

    /** Txns whose apply threw (the tree contradicted them): a replica holding any has diverged. */
    private final java.util.concurrent.atomic.AtomicLong applyErrors = new java.util.concurrent.atomic.AtomicLong();

    /**
     * How many txns this server could not apply because they contradicted its tree (logged as "could not be
     * applied"). Always 0 on a healthy replica; anything else means prepare and apply disagree or a replay went wrong.
     */
    public long applyErrors() {
        return applyErrors.get();
    }

    private final class Machine implements StateMachine {
        @Override
        public void apply(long zxid, ByteBuffer txn, Object context) {
            TxnCodec.Decoded d = TxnCodec.decode(txn);
            Request r = context instanceof Request req ? req : null;
            TxnHeader h = d.header();
            if (r == null && !forwards.isEmpty()) {
                r = forwards.remove(new ForwardKey(h.sessionId(), h.cxid()));
            }
            Txn t = d.txn();
            ByteBuffer reply;
            try {
                reply = applyTxn(zxid, h, t, r);
            } catch (IllegalStateException e) {
                // The txn contradicts the tree: prepare and apply disagree, which is a bug. Never half-apply silently:
                // logged, counted (applyErrors, for mntr and the simulator), and the client told.
                applyErrors.incrementAndGet();
                LOG.error("txn 0x{} could not be applied", Long.toHexString(zxid), e);
                lastApplied = zxid;
                reply = r == null ? null : Replies.header(r.xid, zxid, ErrorCode.DATA_INCONSISTENCY);
            }
            digestLog.applied(zxid, tree.digest());
            if (r != null && r.cnxn != null && reply != null) {
                r.cnxn.complete(r, reply);
            }
        }

        @Override
        public long lastAppliedZxid() {
            return lastApplied;
        }

        @Override
        public void prepareForwarded(ForwardedRequest request) {
            Session s = sessions.get(request.sessionId());
            if (s != null && !s.isClosing()) {
                sessions.touch(s);
            }
            prepare.submit(fromLearner(request));
        }

        @Override
        public void syncCompleted(Object context) {
            Request r = (Request) context;
            if (r.cnxn != null) {
                r.cnxn.completeAtHead(r);
            }
        }

        @Override
        public void sessionsTouched(long[] sessionIds) {
            for (long id : sessionIds) {
                Session s = sessions.get(id);
                if (s != null) {
                    sessions.touch(s);
                }
            }
        }

        @Override
        public void roleChanged(Role newRole) {
            Role old = role;
            if (newRole == Role.LEADER && old != Role.LEADER) {
                // A new leader has not heard the learners' touches for these sessions: give each a full timeout
                // before the expiry loop (which runs once the role says we prepare) may look at it (ClickHouse #121361).
                for (Session s : sessions.all()) {
                    sessions.touch(s);
                }
            }
            role = newRole;
            if (newRole == Role.LOOKING && old != Role.LOOKING) {
                // Not serving: drop clients (they fail over or retry) and forget what was prepared but not applied.
                LOG.warn("not serving ({} -> {}); closing {} client connections and dropping {} forwarded requests",
                        old, newRole, connections.size(), forwards.size());
                for (ClientConnection c : connections) {
                    c.connection().close();
                }
                forwards.clear();
            }
            if (newRole != old) {
                prepare.reset();
            }
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            snapshots.write(new DataOutputStream(out));
        }

        @Override
        public void restoreSnapshot(InputStream in, long zxid) throws IOException {
            snapshots.read(new DataInputStream(in));
            byte[] text = membership;
            if (text != null) {
                tree.setSystemData(DataTree.CONFIG, text);
            }
            lastApplied = zxid;
        }
    }

    private ByteBuffer applyTxn(long zxid, TxnHeader h, Txn t, Request r) {
        if (t instanceof Txn.CreateSession cs) {
            Session s = sessions.add(h.sessionId(), cs.password(), cs.timeoutMs());
            lastApplied = zxid;
            if (r != null && r.cnxn != null) {
                bind(r.cnxn, s, cs.timeoutMs());
            }
            return null;
        }
        if (t instanceof Txn.Error e) {
            lastApplied = zxid;
            return r == null || r.cnxn == null ? null : errorReply(zxid, e, r);
        }
        if (t instanceof Txn.CloseSession) {
            tree.applyCloseSession(h.sessionId(), zxid);
            Session closed = sessions.remove(h.sessionId());
            lastApplied = zxid;
            if (r == null || r.cnxn == null) {
                if (closed != null && closed.owner() instanceof ClientConnection c) {
                    // Closed elsewhere (expired by the leader): this server still holds its connection.
                    LOG.info("session 0x{} closed by the leader; closing its connection {}",
                            Long.toHexString(closed.id()), c.connection().remoteAddress());
                    closed.markClosing();
                    c.connection().close();
                }
                return null;
            }
            r.closeAfterReply();
            return Replies.header(r.xid, zxid, ErrorCode.OK);
        }
        if (t instanceof Txn.Multi m) {
            List<JuteRecord> bodies = new ArrayList<>(m.ops().size());
            for (Txn op : m.ops()) {
                bodies.add(applyOne(zxid, h, op, OpCode.CREATE2));
            }
            lastApplied = zxid;
            if (r == null || r.cnxn == null) {
                return null;
            }
            int[] types = ((PrepareStage.MultiPlan) r.prepared).opTypes();
            List<MultiResult> results = new ArrayList<>(types.length);
            int next = 0;
            for (int type : types) {
                switch (type) {
                    case OpCode.CHECK:
                        results.add(new MultiResult(OpCode.CHECK, 0, null));
                        break;
                    case OpCode.CREATE: {
                        Create2Response cr = (Create2Response) bodies.get(next++);
                        results.add(new MultiResult(OpCode.CREATE, 0, new CreateResponse(cr.path())));
                        break;
                    }
                    case OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL:
                        results.add(new MultiResult(OpCode.CREATE2, 0, bodies.get(next++)));
                        break;
                    case OpCode.DELETE:
                        next++;
                        results.add(new MultiResult(OpCode.DELETE, 0, null));
                        break;
                    default:
                        results.add(new MultiResult(type, 0, bodies.get(next++)));
                }
            }
            return Replies.of(r.xid, zxid, new MultiResponse(results));
        }
        JuteRecord body = applyOne(zxid, h, t, r == null ? OpCode.CREATE2 : r.op);
        lastApplied = zxid;
        if (r == null || r.cnxn == null) {
            return null;
        }
        return body == null ? Replies.header(r.xid, zxid, ErrorCode.OK) : Replies.of(r.xid, zxid, body);
    }

    /** The reply to a request that failed on the leader, from its error txn. */
    private ByteBuffer errorReply(long zxid, Txn.Error e, Request r) {
        switch (r.op) {
            case OpCode.CREATE_SESSION:
                LOG.info("leader refused session 0x{} ({}); closing {}", Long.toHexString(r.sessionId), e.code(),
                        r.cnxn.connection().remoteAddress());
                r.cnxn.connection().close();
                return null;
            case OpCode.CLOSE_SESSION:
                r.closeAfterReply();
                return Replies.header(r.xid, zxid, e.code());
            case OpCode.MULTI:
                if (!e.opErrors().isEmpty()) {
                    return Replies.of(r.xid, zxid, PrepareStage.failedMulti(e.opErrors()));
                }
                return Replies.header(r.xid, zxid, e.code());
            default:
                return Replies.header(r.xid, zxid, e.code());
        }
    }

    /** Applies one change and returns the reply body the client op expects. */
    private JuteRecord applyOne(long zxid, TxnHeader h, Txn t, int op) {
        if (t instanceof Txn.Create c) {
            tree.applyCreate(c.path(), c.data(), c.acl(), c.ephemeralOwner(), c.parentCreatedChildren(), zxid, h.time());
            if (op == OpCode.CREATE) {
                return new CreateResponse(c.path());
            }
            return new Create2Response(c.path(), statOf(c.path()));
        } else if (t instanceof Txn.Delete d) {
            tree.applyDelete(d.path(), zxid);
            return null;
        } else if (t instanceof Txn.SetData s) {
            tree.applySetData(s.path(), s.data(), s.newVersion(), zxid, h.time());
            return new SetDataResponse(statOf(s.path()));
        } else if (t instanceof Txn.SetAcl s) {
            tree.applySetAcl(s.path(), s.acl(), s.newAversion(), zxid);
            return new SetACLResponse(statOf(s.path()));
        }
        throw new IllegalStateException("unexpected txn " + t);
    }

    private Stat statOf(String path) {
        synchronized (tree.lockFor(path)) {
            DataNode n = tree.node(path);
            return n == null ? Stat.EMPTY : n.stat();
        }
    }

}
