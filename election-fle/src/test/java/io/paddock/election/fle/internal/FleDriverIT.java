package io.paddock.election.fle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.PeerId;
import io.paddock.api.Zxid;
import io.paddock.api.election.ElectionAction.Decided;
import io.paddock.api.election.ElectionConfig;
import io.paddock.api.election.Notification;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.election.fle.core.FleSettings;
import io.paddock.election.fle.core.WireFormat;
import io.paddock.transport.nio.NioTransportProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Drivers on 127.0.0.1, port 0, over the nio transport, with a 50 ms tick. */
@Timeout(20)
class FleDriverIT {
    private static final int TICK_MS = 50;
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final InetSocketAddress LOOPBACK_ANY_PORT;

    static {
        try {
            LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<PeerId, InetSocketAddress> book = new ConcurrentHashMap<>();
    private final Map<PeerId, FleDriver> drivers = new ConcurrentHashMap<>();
    private final Map<PeerId, Transport> transports = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (FleDriver d : drivers.values()) {
            d.close();
        }
        for (Transport t : transports.values()) {
            t.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private static PeerId p(long sid) {
        return new PeerId(sid);
    }

    private static Transport newTransport() {
        return new NioTransportProvider().create(new TransportConfig(1, 64 * 1024, 1 << 20, 5_000, Map.of()),
                System::nanoTime);
    }

    private FleDriver start(long sid, Set<PeerId> voters, Set<PeerId> observers) throws IOException {
        ElectionConfig election = new ElectionConfig(p(sid), voters, observers, 8);
        FleServiceConfig config = new FleServiceConfig(election, FleSettings.DEFAULTS, LOOPBACK_ANY_PORT, book::get,
                TICK_MS, 1_000);
        Transport transport = newTransport();
        FleDriver driver = FleDriver.start(config, transport, System::nanoTime);
        transports.put(p(sid), transport);
        drivers.put(p(sid), driver);
        book.put(p(sid), driver.electionAddress());
        return driver;
    }

    private void kill(long sid) {
        drivers.remove(p(sid)).close();
        transports.remove(p(sid)).close();
    }

    private static Set<PeerId> voters(long... sids) {
        Set<PeerId> s = new java.util.TreeSet<>();
        for (long sid : sids) {
            s.add(p(sid));
        }
        return s;
    }

    private static Decided await(java.util.concurrent.CompletableFuture<Decided> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + WAIT + ": " + what);
            }
            Thread.sleep(10); // polling with a deadline, not waiting for a condition by sleeping
        }
    }

    // ------------------------------------------------------------------------------------------- elections

    @Test
    void threeDriversOnLoopbackElectTheOneWithTheHighestZxid() throws Exception {
        Set<PeerId> v = voters(1, 2, 3);
        for (long sid = 1; sid <= 3; sid++) {
            start(sid, v, Set.of());
        }
        var f1 = drivers.get(p(1)).lookForLeader(Zxid.of(1, 5), 1);
        var f2 = drivers.get(p(2)).lookForLeader(Zxid.of(1, 7), 1);
        var f3 = drivers.get(p(3)).lookForLeader(Zxid.of(1, 6), 1);
        Decided d1 = await(f1);
        Decided d2 = await(f2);
        Decided d3 = await(f3);
        assertEquals(p(2), d1.vote().leader());
        assertEquals(p(2), d3.vote().leader());
        assertEquals(new Decided(d2.vote(), PeerState.LEADING), d2);
        assertEquals(PeerState.FOLLOWING, d1.state());
        assertEquals(PeerState.FOLLOWING, d3.state());
        assertEquals(Zxid.of(1, 7), d2.vote().zxid());
        assertEquals(PeerState.LEADING, drivers.get(p(2)).state());
        assertEquals(d2.vote(), drivers.get(p(2)).currentVote());
    }

    @Test
    void exactlyOneLinkPerPairSurvivesTheOneTheHigherSidDialled() throws Exception {
        Set<PeerId> v = voters(1, 2, 3);
        for (long sid = 1; sid <= 3; sid++) {
            start(sid, v, Set.of());
        }
        for (long sid = 1; sid <= 3; sid++) {
            long s = sid;
            eventually("driver " + s + " linked with both others",
                    () -> drivers.get(p(s)).connectedPeers().size() == 2);
        }
        // Pokes from lower sids are closed; what stays accepted at sid s are the dials of the sids above it.
        eventually("accepted links settle at 2, 1, 0",
                () -> drivers.get(p(1)).acceptedLinkCount() == 2 && drivers.get(p(2)).acceptedLinkCount() == 1
                        && drivers.get(p(3)).acceptedLinkCount() == 0);
        assertEquals(0, drivers.values().stream().mapToLong(FleDriver::droppedLinks).sum());
    }

    @Test
    void afterTheLeaderDiesTheOthersLookAgainAndALateHigherZxidJoinsTheNewLeader() throws Exception {
        Set<PeerId> v = voters(1, 2, 3);
        for (long sid = 1; sid <= 3; sid++) {
            start(sid, v, Set.of());
        }
        var f1 = drivers.get(p(1)).lookForLeader(Zxid.of(1, 5), 1);
        var f2 = drivers.get(p(2)).lookForLeader(Zxid.of(1, 7), 1);
        var f3 = drivers.get(p(3)).lookForLeader(Zxid.of(1, 6), 1);
        assertEquals(p(2), await(f1).vote().leader());
        await(f2);
        assertEquals(p(2), await(f3).vote().leader());

        kill(2);
        // zab notices the leader is gone and looks again on the survivors.
        var g1 = drivers.get(p(1)).lookForLeader(Zxid.of(1, 5), 1);
        var g3 = drivers.get(p(3)).lookForLeader(Zxid.of(1, 6), 1);
        Decided e1 = await(g1);
        Decided e3 = await(g3);
        assertEquals(new Decided(e3.vote(), PeerState.LEADING), e3);
        assertEquals(p(3), e1.vote().leader());
        assertEquals(PeerState.FOLLOWING, e1.state());
        assertTrue(e3.vote().electionEpoch() >= 2, "a new round: " + e3.vote());

        // The old leader comes back with the highest zxid; the established ensemble keeps 3 (ZooKeeper's
        // testHighestZxidJoinLate): ZAB will bring 2 in line.
        start(2, v, Set.of());
        Decided back = await(drivers.get(p(2)).lookForLeader(Zxid.of(1, 7), 1));
        assertEquals(p(3), back.vote().leader());
        assertEquals(PeerState.FOLLOWING, back.state());
    }

    @Test
    void anObserverLearnsTheLeaderAndNeverCountsAsAVoter() throws Exception {
        Set<PeerId> v = voters(1, 2, 3);
        Set<PeerId> o = voters(4);
        for (long sid = 1; sid <= 4; sid++) {
            start(sid, v, o);
        }
        var fo = drivers.get(p(4)).lookForLeader(Zxid.of(7, 7), 7); // best log, but an observer
        var f1 = drivers.get(p(1)).lookForLeader(Zxid.of(1, 1), 1);
        var f3 = drivers.get(p(3)).lookForLeader(Zxid.of(1, 1), 1);
        Decided d1 = await(f1);
        Decided d3 = await(f3);
        assertEquals(p(3), d1.vote().leader());
        assertEquals(PeerState.LEADING, d3.state());
        Decided obs = await(fo);
        assertEquals(new Decided(d3.vote(), PeerState.OBSERVING).state(), obs.state());
        assertEquals(p(3), obs.vote().leader());
    }

    @Test
    void aSecondLookWhileLookingFailsAndTheFirstOneStillDecides() throws Exception {
        FleDriver alone = start(1, voters(1, 2, 3), Set.of());
        var first = alone.lookForLeader(0, 0);
        var second = alone.lookForLeader(0, 0);
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(second));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("already looking"), e.getCause().getMessage());
        // A log ahead of its epoch file is refused by the core; the look in flight is unaffected.
        start(2, voters(1, 2, 3), Set.of());
        var bad = drivers.get(p(2)).lookForLeader(Zxid.of(3, 1), 2);
        assertInstanceOf(IllegalStateException.class,
                assertThrows(ExecutionException.class, () -> await(bad)).getCause());
        var good = drivers.get(p(2)).lookForLeader(Zxid.of(2, 1), 2);
        assertEquals(p(2), await(first).vote().leader());
        assertEquals(PeerState.LEADING, await(good).state());
    }

    @Test
    void closingFailsTheLookInFlightAndLaterLooks() throws Exception {
        FleDriver alone = start(1, voters(1, 2, 3), Set.of());
        assertNull(alone.state());
        var f = alone.lookForLeader(0, 0);
        eventually("looking", () -> alone.state() == PeerState.LOOKING);
        alone.close();
        assertInstanceOf(IllegalStateException.class, assertThrows(ExecutionException.class, () -> await(f)).getCause());
        assertInstanceOf(IllegalStateException.class,
                assertThrows(ExecutionException.class, () -> await(alone.lookForLeader(0, 0))).getCause());
    }

    // --------------------------------------------------------------------------------------- hostile links

    /** A raw link from the test to a driver, recording what the driver sends and when it closes the link. */
    private static final class RawPeer implements PeerLinkHandler {
        final BlockingQueue<WireFormat.Decoded> received = new LinkedBlockingQueue<>();
        final BlockingQueue<String> closed = new LinkedBlockingQueue<>();

        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {
            received.add(WireFormat.decode(payload));
        }

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {
            closed.add(String.valueOf(cause));
        }

        void awaitClosed() throws InterruptedException {
            if (closed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS) == null) {
                fail("the driver did not close the link");
            }
        }
    }

    private PeerLink dial(FleDriver target, RawPeer handler) throws IOException {
        Transport t = newTransport();
        closeLast.add(t);
        return t.connectToPeer(target.electionAddress(), 1_000, handler);
    }

    @Test
    void aLinkClaimingASidOutsideTheConfigIsDroppedAndNeverCounted() throws Exception {
        FleDriver d = start(1, voters(1, 2, 3), Set.of());
        var look = d.lookForLeader(0, 0);
        RawPeer rogue = new RawPeer();
        PeerLink link = dial(d, rogue);
        assertEquals(new WireFormat.Hello(p(1)), rogue.received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "the driver says who it is first");
        link.send(WireFormat.hello(p(99)));
        link.send(WireFormat.notification(new Notification(p(99), PeerState.LEADING,
                new Vote(p(99), 0, 1, 0), 0)));
        rogue.awaitClosed();
        assertEquals(1, d.droppedLinks());
        assertTrue(d.connectedPeers().isEmpty());
        assertEquals(PeerState.LOOKING, d.state());
        assertTrue(!look.isDone());
    }

    @Test
    void garbageOrAnOversizedFirstMessageIsDropped() throws Exception {
        FleDriver d = start(1, voters(1, 2, 3), Set.of());
        RawPeer garbage = new RawPeer();
        dial(d, garbage).send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        garbage.awaitClosed();
        RawPeer big = new RawPeer();
        dial(d, big).send(ByteBuffer.allocate(10_000));
        big.awaitClosed();
        RawPeer notHello = new RawPeer();
        dial(d, notHello).send(WireFormat.notification(new Notification(p(3), PeerState.LOOKING,
                new Vote(p(3), 0, 1, 0), 0)));
        notHello.awaitClosed();
        assertEquals(3, d.droppedLinks());
    }

    @Test
    void aNotificationSpoofingAnotherSenderDropsTheLink() throws Exception {
        FleDriver d = start(1, voters(1, 2, 3), Set.of());
        d.lookForLeader(0, 0);
        RawPeer three = new RawPeer();
        PeerLink link = dial(d, three);
        link.send(WireFormat.hello(p(3)));
        eventually("sid 3 linked", () -> d.connectedPeers().contains(p(3)));
        link.send(WireFormat.notification(new Notification(p(2), PeerState.LEADING, new Vote(p(2), 0, 1, 0), 0)));
        three.awaitClosed();
        assertEquals(1, d.droppedLinks());
        assertEquals(PeerState.LOOKING, d.state(), "the spoofed LEADING was never counted");
    }

    @Test
    void aSilentLinkIsClosedAfterTheHandshakeTime() throws Exception {
        FleDriver d = start(1, voters(1, 2, 3), Set.of());
        RawPeer silent = new RawPeer();
        dial(d, silent);
        silent.awaitClosed();
        assertEquals(1, d.droppedLinks());
    }

    @Test
    void aPokeFromALowerSidIsClosedAndAnsweredByDiallingBack() throws Exception {
        FleDriver two = start(2, voters(1, 2, 3), Set.of());
        // Stand in for sid 1: a listener that records the dial-back.
        BlockingQueue<PeerLink> accepted = new LinkedBlockingQueue<>();
        RawPeer inbound = new RawPeer();
        Transport t = newTransport();
        closeLast.add(t);
        ClientListener one = t.listenForPeers(LOOPBACK_ANY_PORT, link -> {
            accepted.add(link);
            return inbound;
        });
        book.put(p(1), one.localAddress());
        RawPeer poke = new RawPeer();
        dial(two, poke).send(WireFormat.hello(p(1)));
        poke.awaitClosed();
        PeerLink back = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(back != null, "sid 2 dialled sid 1 back");
        assertEquals(new WireFormat.Hello(p(2)), inbound.received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        back.send(WireFormat.hello(p(1)));
        eventually("2 holds the link it dialled", () -> two.connectedPeers().equals(Set.of(p(1))));
        assertEquals(0, two.droppedLinks(), "a poke is not an attack");
    }
}
