package io.paddock.election.fle.internal;

import io.paddock.api.PeerId;
import io.paddock.api.election.ElectionAction;
import io.paddock.api.election.ElectionEvent;
import io.paddock.api.election.ElectionService;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.election.fle.core.FastLeaderElection;
import io.paddock.election.fle.core.WireFormat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The imperative shell around {@link FastLeaderElection}: one thread owns the core, ticks it every {@code tickTime}
 * (read from the injected {@link Ticker}), feeds it what arrives on the election links and sends what it asks for.
 *
 * <p><b>Links.</b> We accept on our election address and dial every other configured peer. The first message in
 * each direction is a hello with the sender's sid ({@link WireFormat}); a link whose hello is malformed, names a sid
 * outside the config or ourselves, or (when we dialled) names another sid than the one we dialled, is closed and
 * logged, and nothing from it reaches the core. After the hello, a notification whose sender is not the link's sid,
 * or anything malformed, closes the link too. Between a pair only the link initiated by the higher sid carries
 * notifications (ZooKeeper's rule): a lower sid's dial is only a "poke", which the higher sid closes and answers by
 * dialling back at once. A poke that arrives while we hold an older link to that peer means the peer lost it, so the
 * stale link is replaced.
 *
 * <p><b>Bounds.</b> Per peer at most {@value #OUTBOUND_QUEUE_MAX} notifications wait for a link or for the link's
 * unsent bytes to fall below {@value #LINK_PENDING_BYTES_MAX}; beyond that the oldest is dropped (only the newest vote
 * matters and FLE re-sends). At most {@value #INBOX_MESSAGES_MAX} received messages wait for the election thread;
 * beyond that new ones are dropped. At most {@value #UNAUTHENTICATED_LINKS_MAX} accepted links may be waiting for
 * their hello, for at most {@value #HANDSHAKE_TICKS} ticks.
 *
 * <p><b>Threads.</b> The election thread {@code paddock-fle-<sid>} runs the core and all link bookkeeping; transport
 * callbacks only enqueue. A second thread, {@code paddock-fle-connect-<sid>}, makes the blocking
 * {@link Transport#connectToPeer} calls one at a time, so a dead peer's connect timeout never delays ticks.
 */
public final class FleDriver implements ElectionService {
    private static final Logger LOG = LoggerFactory.getLogger(FleDriver.class);

    static final int OUTBOUND_QUEUE_MAX = 4;
    static final long LINK_PENDING_BYTES_MAX = 64 * 1024;
    static final int INBOX_MESSAGES_MAX = 4096;
    static final int UNAUTHENTICATED_LINKS_MAX = 64;
    static final int HANDSHAKE_TICKS = 5;
    /** A poke we sent is closed by the peer at once; we close it ourselves after this. */
    static final int POKE_TTL_TICKS = 3;
    /** A poke from a peer replaces our link to it only if that link is at least this old (avoids a dial race). */
    static final int STALE_LINK_MIN_TICKS = 2;
    static final int DIAL_BACKOFF_MAX_TICKS = 8;

    private final FleServiceConfig config;
    private final PeerId self;
    private final Transport transport;
    private final Ticker ticker;
    private final long tickNanos;
    /** Every configured peer but us, in sid order. */
    private final List<PeerId> peers;
    private final Set<PeerId> known;

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger inboxMessages = new AtomicInteger();
    private final BlockingQueue<Dial> dials = new LinkedBlockingQueue<>();
    private final AtomicInteger unauthenticatedInbound = new AtomicInteger();
    private final AtomicLong droppedLinks = new AtomicLong();
    private final AtomicLong droppedMessages = new AtomicLong();

    private final Thread electionThread;
    private final Thread connectThread;
    private volatile boolean closing;
    /** Guards {@link #terminated}: no look may be queued after the election thread drained its inbox. */
    private final Object lifecycle = new Object();
    private boolean terminated;
    private ClientListener listener;

    // ---- owned by the election thread
    private FastLeaderElection core;
    private CompletableFuture<ElectionAction.Decided> pending;
    private long tickCount;
    private final Set<Link> links = new LinkedHashSet<>();
    private final Map<PeerId, Link> active = new TreeMap<>();
    private final Map<PeerId, ArrayDeque<ByteBuffer>> outbound = new HashMap<>();
    private final Set<PeerId> dialInFlight = new TreeSet<>();
    private final Map<PeerId, Long> nextDialTick = new HashMap<>();
    private final Map<PeerId, Integer> dialBackoffTicks = new HashMap<>();

    // ---- published by the election thread for other threads
    private volatile Vote publishedVote;
    private volatile PeerState publishedState;
    private volatile Set<PeerId> publishedConnected = Set.of();

    private FleDriver(FleServiceConfig config, Transport transport, Ticker ticker) {
        this.config = config;
        this.self = config.election().self();
        this.transport = Objects.requireNonNull(transport, "transport");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(config.tickTimeMs());
        TreeSet<PeerId> all = new TreeSet<>(config.election().voters());
        all.addAll(config.election().observers());
        all.remove(self);
        this.peers = List.copyOf(all);
        all.add(self);
        this.known = Set.copyOf(all);
        this.core = new FastLeaderElection(config.election(), config.settings());
        this.electionThread = new Thread(this::runElection, "paddock-fle-" + self);
        this.electionThread.setDaemon(true);
        this.connectThread = new Thread(this::runConnector, "paddock-fle-connect-" + self);
        this.connectThread.setDaemon(true);
    }

    /** Binds the election listener and starts both threads. */
    public static FleDriver start(FleServiceConfig config, Transport transport, Ticker ticker) throws IOException {
        FleDriver driver = new FleDriver(config, transport, ticker);
        driver.listener = transport.listenForPeers(config.listenAddress(), driver::accepted);
        driver.electionThread.start();
        driver.connectThread.start();
        LOG.info("election (fle) of server {} listening on {}", driver.self, driver.listener.localAddress());
        return driver;
    }

    // ============================================================================================ public, any thread

    @Override
    public CompletableFuture<ElectionAction.Decided> lookForLeader(long lastLoggedZxid, long currentEpoch) {
        CompletableFuture<ElectionAction.Decided> future = new CompletableFuture<>();
        synchronized (lifecycle) {
            if (closing || terminated) {
                future.completeExceptionally(new IllegalStateException("election service of " + self + " is closed"));
                return future;
            }
            inbox.add(new Look(lastLoggedZxid, currentEpoch, future));
        }
        return future;
    }

    @Override
    public Vote currentVote() {
        return publishedVote;
    }

    @Override
    public PeerState state() {
        return publishedState;
    }

    @Override
    public InetSocketAddress electionAddress() {
        return listener.localAddress();
    }

    /** The peers we hold an authenticated link with. */
    public Set<PeerId> connectedPeers() {
        return publishedConnected;
    }

    /** Open links accepted on our election port (after the pokes are closed: one per higher sid). */
    public int acceptedLinkCount() {
        return listener.connectionCount();
    }

    /** Links closed because of a bad hello, an unknown or spoofed sid, or a malformed message. */
    public long droppedLinks() {
        return droppedLinks.get();
    }

    /** Received messages dropped because the election thread was {@value #INBOX_MESSAGES_MAX} behind. */
    public long droppedMessages() {
        return droppedMessages.get();
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        inbox.add(Shutdown.INSTANCE);
        connectThread.interrupt();
        if (Thread.currentThread() != electionThread) {
            try {
                electionThread.join(5_000);
                connectThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ==================================================================================== transport threads

    /** Acceptor of the election listener (a transport thread). */
    private PeerLinkHandler accepted(PeerLink link) {
        if (closing) {
            return null;
        }
        if (unauthenticatedInbound.incrementAndGet() > UNAUTHENTICATED_LINKS_MAX) {
            unauthenticatedInbound.decrementAndGet();
            LOG.warn("election: refusing link from {}: {} links already wait for their hello", link.remoteAddress(),
                    UNAUTHENTICATED_LINKS_MAX);
            return null;
        }
        Link l = new Link(null, false);
        l.peerLink = link;
        synchronized (lifecycle) {
            if (terminated) {
                unauthenticatedInbound.decrementAndGet();
                return null;
            }
            l.sendHelloOnce(link);
            inbox.add(new Accepted(l));
        }
        return l;
    }

    /** One end of an election link; the handler methods run on transport threads and only enqueue. */
    private final class Link implements PeerLinkHandler {
        /** The sid we dialled, null for an accepted link. */
        final PeerId dialled;
        /** We dialled a higher sid: this link only tells it to dial us back. */
        final boolean poke;
        volatile PeerLink peerLink;
        private boolean helloSent;

        // election thread only
        boolean registered;
        /** We closed it or the transport reported it closed: ignore what it still delivers. */
        boolean closed;
        boolean countedUnauthenticated;
        PeerId sid;
        long openedTick;

        Link(PeerId dialled, boolean poke) {
            this.dialled = dialled;
            this.poke = poke;
            this.countedUnauthenticated = dialled == null;
        }

        synchronized void sendHelloOnce(PeerLink link) {
            if (!helloSent) {
                helloSent = true;
                link.send(WireFormat.hello(self));
            }
        }

        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {
            if (peerLink == null) {
                // A dialled peer can answer before connectToPeer returns on the connector thread: publish the link
                // before the election thread sees this message (it flushes votes on it), and put our hello first.
                peerLink = link;
            }
            sendHelloOnce(link);
            if (inboxMessages.incrementAndGet() > INBOX_MESSAGES_MAX) {
                inboxMessages.decrementAndGet();
                droppedMessages.incrementAndGet();
                return;
            }
            // Never copy more than a valid message can hold; the decoder reports the real length.
            byte[] copy;
            int length = payload.remaining();
            if (length > WireFormat.MESSAGE_BYTES_MAX) {
                copy = null;
            } else {
                copy = new byte[length];
                payload.duplicate().get(copy);
            }
            inbox.add(new Message(this, link, copy, length));
        }

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {
            inbox.add(new Closed(this, link, cause));
        }

        String describe() {
            PeerLink pl = peerLink;
            String where = pl == null ? "?" : String.valueOf(pl.remoteAddress());
            if (sid != null) {
                return "sid " + sid + " at " + where;
            }
            return (dialled != null ? "dialled sid " + dialled : "accepted link") + " at " + where;
        }
    }

    // ====================================================================================== connector thread

    private record Dial(PeerId peer, InetSocketAddress address, boolean poke) {}

    private void runConnector() {
        while (!closing) {
            Dial dial;
            try {
                dial = dials.take();
            } catch (InterruptedException e) {
                break;
            }
            Link l = new Link(dial.peer(), dial.poke());
            try {
                PeerLink link = transport.connectToPeer(dial.address(), config.connectTimeoutMs(), l);
                l.peerLink = link;
                synchronized (lifecycle) {
                    if (closing || terminated) {
                        link.close();
                        break;
                    }
                    l.sendHelloOnce(link);
                    inbox.add(new Dialled(l, link));
                }
            } catch (IOException | RuntimeException e) {
                inbox.add(new DialFailed(dial.peer(), e));
            }
        }
    }

    // ======================================================================================= election thread

    private record Look(long lastLoggedZxid, long currentEpoch, CompletableFuture<ElectionAction.Decided> future) {}

    private record Accepted(Link link) {}

    private record Dialled(Link link, PeerLink peerLink) {}

    private record DialFailed(PeerId peer, Exception cause) {}

    private record Message(Link link, PeerLink peerLink, byte[] bytes, int length) {}

    private record Closed(Link link, PeerLink peerLink, Throwable cause) {}

    private enum Shutdown { INSTANCE }

    private void runElection() {
        long nextTick = ticker.nanoTime() + tickNanos;
        try {
            while (true) {
                long now = ticker.nanoTime();
                long wait = nextTick - now;
                if (wait <= 0) {
                    onTick();
                    nextTick += tickNanos;
                    if (nextTick <= now) {
                        nextTick = now + tickNanos; // fell behind (a pause): no burst of catch-up ticks
                    }
                    continue;
                }
                Object event = inbox.poll(wait, TimeUnit.NANOSECONDS);
                if (event == null) {
                    continue;
                }
                if (event == Shutdown.INSTANCE) {
                    break;
                }
                try {
                    handle(event);
                } catch (RuntimeException e) {
                    LOG.error("election of server {}: failed to handle {}", self, event, e);
                }
                publish();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutDown();
        }
    }

    private void handle(Object event) {
        if (event instanceof Message m) {
            inboxMessages.decrementAndGet();
            onMessage(m);
        } else if (event instanceof Look look) {
            onLook(look);
        } else if (event instanceof Accepted a) {
            register(a.link());
        } else if (event instanceof Dialled d) {
            onDialled(d);
        } else if (event instanceof DialFailed f) {
            dialInFlight.remove(f.peer());
            LOG.debug("election: dial of sid {} failed: {}", f.peer(), f.cause().toString());
        } else if (event instanceof Closed c) {
            onClosed(c);
        } else {
            throw new IllegalArgumentException("unknown event " + event);
        }
    }

    private void onLook(Look look) {
        if (core.phase() == FastLeaderElection.Phase.LOOKING) {
            if (pending != null && !pending.isDone()) {
                look.future().completeExceptionally(new IllegalStateException("server " + self
                        + " is already looking in round " + core.logicalClock() + "; requested epoch "
                        + look.currentEpoch() + ", zxid 0x" + Long.toHexString(look.lastLoggedZxid())));
                return;
            }
            // The caller abandoned the previous look: continue with a fresh core, keeping the rounds increasing.
            core = new FastLeaderElection(config.election(),
                    config.settings().withInitialLogicalClock(core.logicalClock()));
        }
        List<ElectionAction> actions;
        try {
            actions = core.handle(new ElectionEvent.Start(look.lastLoggedZxid(), look.currentEpoch()));
        } catch (RuntimeException e) {
            look.future().completeExceptionally(e);
            return;
        }
        pending = look.future();
        LOG.info("election: server {} looking in round {} with zxid 0x{}, epoch {}", self, core.logicalClock(),
                Long.toHexString(look.lastLoggedZxid()), look.currentEpoch());
        execute(actions);
    }

    private void onTick() {
        tickCount++;
        execute(core.handle(new ElectionEvent.Tick()));
        for (Link l : new ArrayList<>(links)) {
            long age = tickCount - l.openedTick;
            if (l.sid == null && !l.poke && age > HANDSHAKE_TICKS) {
                drop(l, "no hello within " + HANDSHAKE_TICKS + " ticks");
            } else if (l.poke && age > POKE_TTL_TICKS) {
                closeQuietly(l);
            }
        }
        for (PeerId peer : peers) {
            flush(peer);
            maybeDial(peer, false);
        }
        publish();
    }

    private void register(Link l) {
        if (l.registered) {
            return;
        }
        l.registered = true;
        l.openedTick = tickCount;
        links.add(l);
    }

    private void onDialled(Dialled d) {
        dialInFlight.remove(d.link().dialled);
        if (d.link().closed) {
            return;
        }
        register(d.link());
    }

    private void onMessage(Message m) {
        Link l = m.link();
        if (l.closed) {
            return;
        }
        register(l);
        if (m.bytes() == null) {
            drop(l, "message of " + m.length() + " bytes");
            return;
        }
        WireFormat.Decoded decoded = WireFormat.decode(ByteBuffer.wrap(m.bytes()));
        if (decoded instanceof WireFormat.Malformed bad) {
            drop(l, bad.reason());
            return;
        }
        if (l.sid == null) {
            if (!(decoded instanceof WireFormat.Hello hello)) {
                drop(l, "first message is not a hello");
                return;
            }
            onHello(l, hello.sid());
            return;
        }
        if (!(decoded instanceof WireFormat.Note note)) {
            drop(l, "second hello");
            return;
        }
        if (!note.notification().from().equals(l.sid)) {
            drop(l, "notification claims sender " + note.notification().from());
            return;
        }
        if (l.poke) {
            return; // a poke carries no votes; the peer dials us back for that
        }
        execute(core.handle(new ElectionEvent.Received(note.notification())));
    }

    private void onHello(Link l, PeerId sid) {
        if (!known.contains(sid) || sid.equals(self)) {
            drop(l, "hello from sid " + sid + ", which is not another server of the config");
            return;
        }
        if (l.dialled != null && !l.dialled.equals(sid)) {
            drop(l, "dialled sid " + l.dialled + " but it says it is sid " + sid);
            return;
        }
        l.sid = sid;
        if (l.countedUnauthenticated) {
            l.countedUnauthenticated = false;
            unauthenticatedInbound.decrementAndGet();
        }
        if (l.dialled != null) {
            if (!l.poke) {
                activate(sid, l);
            }
            return;
        }
        if (sid.compareTo(self) > 0) {
            activate(sid, l); // the higher sid's dial is the pair's link
            return;
        }
        // A poke from a lower sid: it has no link to us. Drop the poke and dial back; a link we still hold to it
        // is stale (the peer lost it), unless it is brand new and crossed the poke on the wire.
        closeQuietly(l);
        Link existing = active.get(sid);
        if (existing != null && tickCount - existing.openedTick >= STALE_LINK_MIN_TICKS) {
            LOG.info("election: sid {} lost its link to us; replacing ours", sid);
            deactivate(existing);
            closeQuietly(existing);
            existing = null;
        }
        if (existing == null) {
            maybeDial(sid, true);
        }
    }

    private void activate(PeerId sid, Link l) {
        Link old = active.put(sid, l);
        if (old != null && old != l) {
            closeQuietly(old);
        }
        dialBackoffTicks.remove(sid);
        nextDialTick.remove(sid);
        LOG.info("election: server {} linked with sid {} ({})", self, sid, l.describe());
        execute(core.handle(new ElectionEvent.PeerReachable(sid, true)));
        flush(sid);
    }

    private void deactivate(Link l) {
        if (l.sid != null && active.get(l.sid) == l) {
            active.remove(l.sid);
            LOG.info("election: server {} lost its link with sid {}", self, l.sid);
            execute(core.handle(new ElectionEvent.PeerReachable(l.sid, false)));
        }
    }

    private void onClosed(Closed c) {
        Link l = c.link();
        l.closed = true;
        links.remove(l);
        if (l.countedUnauthenticated) {
            l.countedUnauthenticated = false;
            unauthenticatedInbound.decrementAndGet();
        }
        deactivate(l);
    }

    private void drop(Link l, String reason) {
        droppedLinks.incrementAndGet();
        LOG.warn("election: server {} drops {}: {}", self, l.describe(), reason);
        deactivate(l);
        closeQuietly(l);
    }

    /** Closes a link; whatever it delivered but we have not handled yet is ignored from now on. */
    private void closeQuietly(Link l) {
        l.closed = true;
        PeerLink pl = l.peerLink;
        if (pl != null) {
            pl.close();
        }
    }

    /** Dials {@code peer} if we have no link with it and no dial in flight; {@code now} skips the back-off. */
    private void maybeDial(PeerId peer, boolean now) {
        if (closing || active.containsKey(peer) || dialInFlight.contains(peer)) {
            return;
        }
        boolean poke = peer.compareTo(self) > 0;
        if (poke) {
            for (Link l : links) {
                if (l.poke && peer.equals(l.dialled) && !l.closed) {
                    return; // the last poke is still open
                }
            }
        }
        if (!now && tickCount < nextDialTick.getOrDefault(peer, 0L)) {
            return;
        }
        InetSocketAddress address = config.electionAddresses().apply(peer);
        if (address == null) {
            return;
        }
        int backoff = dialBackoffTicks.getOrDefault(peer, 1);
        nextDialTick.put(peer, tickCount + backoff);
        dialBackoffTicks.put(peer, Math.min(2 * backoff, DIAL_BACKOFF_MAX_TICKS));
        dialInFlight.add(peer);
        dials.add(new Dial(peer, address, poke));
    }

    private void execute(List<ElectionAction> actions) {
        for (ElectionAction action : actions) {
            if (action instanceof ElectionAction.Send send) {
                if (!known.contains(send.to()) || send.to().equals(self)) {
                    continue;
                }
                enqueue(send.to(), WireFormat.notification(send.notification()));
            } else if (action instanceof ElectionAction.Decided decided) {
                LOG.info("election: server {} decided {} under leader {} (zxid 0x{}, round {}, epoch {})", self,
                        decided.state(), decided.vote().leader(), Long.toHexString(decided.vote().zxid()),
                        decided.vote().electionEpoch(), decided.vote().peerEpoch());
                publish();
                CompletableFuture<ElectionAction.Decided> f = pending;
                pending = null;
                if (f != null) {
                    f.complete(decided);
                }
            }
        }
    }

    private void enqueue(PeerId to, ByteBuffer message) {
        ArrayDeque<ByteBuffer> queue = outbound.computeIfAbsent(to, p -> new ArrayDeque<>());
        queue.addLast(message);
        if (queue.size() > OUTBOUND_QUEUE_MAX) {
            queue.removeFirst();
        }
        flush(to);
        if (!queue.isEmpty()) {
            maybeDial(to, false);
        }
    }

    private void flush(PeerId to) {
        ArrayDeque<ByteBuffer> queue = outbound.get(to);
        Link l = active.get(to);
        if (queue == null || l == null) {
            return;
        }
        PeerLink pl = l.peerLink;
        while (!queue.isEmpty() && pl.isOpen() && pl.pendingOutboundBytes() < LINK_PENDING_BYTES_MAX) {
            pl.send(queue.removeFirst());
        }
    }

    private void publish() {
        publishedVote = core.currentVote();
        publishedState = core.announcedState();
        if (!publishedConnected.equals(active.keySet())) {
            publishedConnected = Set.copyOf(active.keySet());
        }
    }

    private void shutDown() {
        closing = true;
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("election: closing the listener of server {} failed", self, e);
        }
        for (Link l : new ArrayList<>(links)) {
            closeQuietly(l);
        }
        CompletableFuture<ElectionAction.Decided> f = pending;
        pending = null;
        if (f != null) {
            f.completeExceptionally(new IllegalStateException("election service of " + self + " closed"));
        }
        // Looks queued behind the shutdown fail too, rather than hang; none can be queued after this.
        List<Object> left = new ArrayList<>();
        synchronized (lifecycle) {
            terminated = true;
            inbox.drainTo(left);
        }
        for (Object event : left) {
            if (event instanceof Look look) {
                look.future().completeExceptionally(new IllegalStateException("election service of " + self
                        + " closed"));
            } else if (event instanceof Dialled d) {
                d.peerLink().close();
            } else if (event instanceof Accepted a) {
                closeQuietly(a.link());
            }
        }
        connectThread.interrupt();
        LOG.info("election (fle) of server {} stopped", self);
    }
}
