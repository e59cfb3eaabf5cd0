package io.paddock.server.pipeline;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Perms;
import io.paddock.api.transport.Connection;
import io.paddock.server.session.Session;
import io.paddock.server.watch.WatchEvent;
import io.paddock.server.watch.Watcher;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Server-side state of one client connection, and the per-session ordering of its replies.
 *
 * <p>Requests enter {@link #submit} in arrival order. A read with nothing ahead of it runs at once; anything else
 * waits in {@code pending}. When a write completes, {@link #complete} sends every finished reply at the head of the
 * queue and runs the reads that were waiting behind it, so replies leave in exactly the order requests arrived and a
 * read always sees its session's earlier writes (WIRE-PROTOCOL.md §3.4, §10.1).
 *
 * <p>Lock order: this connection's monitor may be held while taking a data-tree stripe (running a read), never the
 * other way round; watch notifications go straight to the transport without this monitor.
 */
public final class ClientConnection implements Watcher {
    public enum State { NEW, CONNECTING, ACTIVE, CLOSED }

    private final Connection connection;
    private final RequestExecutor executor;
    private final AclChecker acls;
    private final int outstandingMax;
    private final List<Id> authIds = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    /** Frames that arrived behind the ConnectRequest before the session was ready (WIRE-PROTOCOL.md §2.5). */
    private final ArrayDeque<byte[]> earlyFrames = new ArrayDeque<>();
    private final long establishedMillis;

    private volatile State state = State.NEW;
    private volatile Session session;
    private volatile boolean readOnlyByte;
    private boolean readsPaused;

    // statistics for cons/stat; written under this monitor or by the I/O thread, read racily by 4lw
    volatile long packetsReceived;
    volatile long packetsSent;
    volatile long lastLatencyMs;
    volatile long latencyMinMs = Long.MAX_VALUE;
    volatile long latencyMaxMs;
    volatile long latencySumMs;
    volatile long latencyCount;
    volatile int lastXid;
    volatile long lastZxid;
    volatile String lastOp = "NA";
    volatile long lastResponseMillis;

    public ClientConnection(Connection connection, RequestExecutor executor, AclChecker acls, int outstandingMax,
            long nowMillis) {
        this.connection = connection;
        this.executor = executor;
        this.acls = acls;
        this.outstandingMax = outstandingMax;
        this.establishedMillis = nowMillis;
        if (connection.remoteAddress() != null && connection.remoteAddress().getAddress() != null) {
            // Every connection holds its peer address as an "ip" identity (WIRE-PROTOCOL.md §8.3).
            authIds.add(new Id("ip", connection.remoteAddress().getAddress().getHostAddress()));
        }
    }

    public Connection connection() {
        return connection;
    }

    public State state() {
        return state;
    }

    public void state(State s) {
        state = s;
    }

    public Session session() {
        return session;
    }

    public void session(Session s) {
        session = s;
    }

    public long sessionId() {
        Session s = session;
        return s == null ? 0 : s.id();
    }

    public boolean readOnlyByte() {
        return readOnlyByte;
    }

    public void readOnlyByte(boolean present) {
        readOnlyByte = present;
    }

    public long establishedMillis() {
        return establishedMillis;
    }

    public List<Id> authIds() {
        return List.copyOf(authIds);
    }

    public void addAuthIds(List<Id> ids) {
        for (Id id : ids) {
            if (!authIds.contains(id)) {
                authIds.add(id);
            }
        }
    }

    /** Queues a frame that arrived before the session was ready; false when too many are waiting. */
    public synchronized boolean holdEarlyFrame(byte[] frame) {
        if (earlyFrames.size() >= outstandingMax) {
            return false;
        }
        earlyFrames.add(frame);
        return true;
    }

    public synchronized boolean hasEarlyFrames() {
        return !earlyFrames.isEmpty();
    }

    public synchronized byte[] pollEarlyFrame() {
        return earlyFrames.poll();
    }

    public synchronized int outstanding() {
        return pending.size();
    }

    /** Enters a request in arrival order. */
    public synchronized void submit(Request r) {
        if (state == State.CLOSED) {
            return;
        }
        if (!r.writeClass && pending.isEmpty()) {
            send(r, executor.executeRead(r));
            return;
        }
        pending.add(r);
        if (r.writeClass && r.reply == null) {
            executor.submitWrite(r);
        }
        if (!readsPaused && pending.size() >= outstandingMax) {
            readsPaused = true;
            connection.pauseReading();
        }
    }

    /** Enters a request whose reply is already known (an error found on arrival), keeping the order. */
    public synchronized void submitCompleted(Request r, ByteBuffer reply) {
        r.reply = reply;
        if (pending.isEmpty()) {
            send(r, reply);
        } else {
            pending.add(r);
        }
    }

    /** A write-class request finished (from the prepare or apply stage). */
    public synchronized void complete(Request r, ByteBuffer reply) {
        r.reply = reply;
        release();
    }

    /**
     * A write-class request is done, but its reply is built by {@link RequestExecutor#executeRead} once everything
     * ahead of it has been answered: a sync, whose reply zxid must not be older than the replies before it (on a
     * learner the sync may complete before the session's earlier forwarded write is applied).
     */
    public synchronized void completeAtHead(Request r) {
        r.answerAtHead = true;
        release();
    }

    private void release() {
        while (!pending.isEmpty()) {
            Request head = pending.peek();
            if (head.reply == null) {
                if (head.writeClass && !head.answerAtHead) {
                    break;
                }
                head.reply = executor.executeRead(head);
            }
            pending.poll();
            send(head, head.reply);
        }
        if (readsPaused && pending.size() <= outstandingMax / 2) {
            readsPaused = false;
            connection.resumeReading();
        }
    }

    private void send(Request r, ByteBuffer reply) {
        if (reply != null) {
            connection.send(reply);
            packetsSent++;
            executor.replySent(r);
        }
        if (r.after == Request.After.CLOSE) {
            state = State.CLOSED;
            connection.closeAfterFlush();
        }
    }

    /** Sends a frame outside the request order (ping-independent replies such as auth). */
    public void sendUnordered(ByteBuffer frame) {
        connection.send(frame);
        packetsSent++;
    }

    /** Drops queued work when the connection goes away; requests already in prepare/apply complete into nothing. */
    public synchronized void closed() {
        state = State.CLOSED;
        pending.clear();
        earlyFrames.clear();
    }

    @Override
    public void deliver(WatchEvent event) {
        if (state != State.CLOSED) {
            connection.send(event.frame());
            packetsSent++;
        }
    }

    @Override
    public boolean isAlive() {
        return state != State.CLOSED;
    }

    @Override
    public boolean mayRead(List<Acl> acl) {
        return acls.allowed(acl, authIds, Perms.READ);
    }

    public void recordLatency(long ms, long zxid, long nowMillis) {
        lastZxid = zxid;
        lastResponseMillis = nowMillis;
        lastLatencyMs = ms;
        latencyCount++;
        latencySumMs += ms;
        if (ms < latencyMinMs) {
            latencyMinMs = ms;
        }
        if (ms > latencyMaxMs) {
            latencyMaxMs = ms;
        }
    }

    public void recordReceived(int xid, String opName) {
        packetsReceived++;
        lastXid = xid;
        lastOp = opName;
    }

    /** Connection statistics in the {@code cons} format (WIRE-PROTOCOL.md §9.2). */
    public String describe(long nowMillis) {
        Session s = session;
        StringBuilder sb = new StringBuilder(" ");
        sb.append(connection.remoteAddress()).append("[1](queued=").append(outstanding())
                .append(",recved=").append(packetsReceived).append(",sent=").append(packetsSent);
        if (s != null) {
            sb.append(",sid=0x").append(Long.toHexString(s.id()))
                    .append(",lop=").append(lastOp)
                    .append(",est=").append(establishedMillis)
                    .append(",to=").append(s.timeoutMs())
                    .append(",lcxid=0x").append(Integer.toHexString(lastXid))
                    .append(",lzxid=0x").append(Long.toHexString(lastZxid))
                    .append(",lresp=").append(lastResponseMillis)
                    .append(",llat=").append(lastLatencyMs)
                    .append(",minlat=").append(latencyCount == 0 ? 0 : latencyMinMs)
                    .append(",avglat=").append(latencyCount == 0 ? 0 : latencySumMs / latencyCount)
                    .append(",maxlat=").append(latencyMaxMs);
        }
        return sb.append(')').toString();
    }

    public void resetStats() {
        packetsReceived = 0;
        packetsSent = 0;
        latencyMinMs = Long.MAX_VALUE;
        latencyMaxMs = 0;
        latencySumMs = 0;
        latencyCount = 0;
    }
}
