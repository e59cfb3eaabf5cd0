package io.paddock.election.fle.core;

import io.paddock.api.PeerId;
import io.paddock.api.Zxid;
import io.paddock.api.election.Election;
import io.paddock.api.election.ElectionAction;
import io.paddock.api.election.ElectionAction.Decided;
import io.paddock.api.election.ElectionAction.Send;
import io.paddock.api.election.ElectionConfig;
import io.paddock.api.election.ElectionEvent;
import io.paddock.api.election.Notification;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * ZooKeeper's Fast Leader Election as a pure core: {@link ElectionEvent}s in, {@link ElectionAction}s out. No threads,
 * I/O, clock or randomness; time arrives as {@link ElectionEvent.Tick}. Not thread-safe: one driver thread (or a
 * simulator) owns it. One instance serves every look of one server: {@code Start} begins the next round and the
 * logical clock carries over.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>A vote is (leader sid, its last logged zxid, election round = logical clock, its peer epoch). Votes are
 *       ordered by {@link VoteOrder}: higher peer epoch, then higher zxid, then higher sid; a non-voter never wins.</li>
 *   <li>{@code Start} votes for ourselves, increments the logical clock and sends the vote to every other voter.</li>
 *   <li>A LOOKING voter's notification from a higher round makes us adopt that round: forget the round's votes,
 *       propose the better of its vote and our own, and re-broadcast. From a lower round it is ignored, but the sender
 *       gets our current vote back so it catches up (unless we are an observer: voters ignore observers). In our
 *       round, a better vote replaces our proposal and we re-broadcast.</li>
 *   <li>When a strict majority of voters (ourselves included, observers never) proposes exactly our proposal, we
 *       wait {@link FleSettings#finalizeWaitTicks()} ticks; a change of proposal (a better vote, a new round) cancels
 *       the wait. If the majority still holds when the wait ends we decide: LEADING if the winner is us, FOLLOWING
 *       otherwise, OBSERVING if we are an observer.</li>
 *   <li>FOLLOWING/LEADING notifications (an established ensemble) are kept per sender for the whole look
 *       ("out of election"). We decide for leader L with peer epoch e, without a new round, when a majority of voters
 *       reports (L, e), or when L itself reports LEADING with e. If L is us, a majority is required and its round
 *       must be our current round, so followers still attached to our previous incarnation cannot make us lead.</li>
 *   <li>While looking we re-send our vote to every voter after 1, 2, 4 ... ticks, capped at
 *       {@link ElectionConfig#notificationTimeoutTicksMax()}; a link that comes up gets our vote at once.</li>
 *   <li>Notifications from sids outside the config, from ourselves, with negative fields, or for a non-voter
 *       leader produce nothing (the driver logs). An observer's LOOKING notification is answered with our vote but
 *       never counted.</li>
 *   <li>After deciding we only answer LOOKING senders with our decided vote and state, so late joiners learn the
 *       leader. An observer answers nobody: a voter ignores it, and a looking observer asks the voters.</li>
 *   <li>No answer ever provokes an answer: a voter answers a lower round (the sender adopts ours, it does not
 *       answer), any LOOKING observer (which never answers a voter), and, once decided, LOOKING peers (which do not
 *       answer FOLLOWING/LEADING). So two peers cannot reply to each other forever.</li>
 * </ul>
 *
 * <h2>State transitions</h2>
 * <table>
 *   <caption>phase x event</caption>
 *   <tr><th>phase</th><th>event</th><th>condition</th><th>next</th><th>actions</th></tr>
 *   <tr><td>IDLE</td><td>Start(z, e)</td><td>epoch(z) &le; e</td><td>LOOKING</td>
 *       <td>clock+1, propose self, send to every voter; decide at once if we are the only voter and the wait is 0</td></tr>
 *   <tr><td>IDLE</td><td>Received, Tick, PeerReachable</td><td></td><td>IDLE</td><td>none</td></tr>
 *   <tr><td>LOOKING</td><td>Start</td><td></td><td>-</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>LOOKING</td><td>Received LOOKING, higher round</td><td>sender is a voter</td><td>LOOKING</td>
 *       <td>adopt round, clear votes, propose best(vote, own), broadcast, record, check majority</td></tr>
 *   <tr><td>LOOKING</td><td>Received LOOKING, lower round</td><td>sender is a voter</td><td>LOOKING</td>
 *       <td>send our vote to the sender (observers send nothing)</td></tr>
 *   <tr><td>LOOKING</td><td>Received LOOKING, our round</td><td>sender is a voter</td><td>LOOKING</td>
 *       <td>if better: propose it, broadcast; record; check majority (arms or cancels the finalize wait)</td></tr>
 *   <tr><td>LOOKING</td><td>Received LOOKING</td><td>sender is an observer</td><td>LOOKING</td>
 *       <td>send our vote to the sender</td></tr>
 *   <tr><td>LOOKING</td><td>Received FOLLOWING/LEADING</td><td>majority reports (L, e), or L reports LEADING
 *       (see rules for L = us)</td><td>DECIDED</td><td>Decided(L's vote, state)</td></tr>
 *   <tr><td>LOOKING</td><td>Tick</td><td>finalize wait ends, majority holds</td><td>DECIDED</td>
 *       <td>Decided(proposal, state)</td></tr>
 *   <tr><td>LOOKING</td><td>Tick</td><td>re-send interval elapsed</td><td>LOOKING</td>
 *       <td>send our vote to every voter, double the interval up to the cap</td></tr>
 *   <tr><td>LOOKING</td><td>PeerReachable(p, true)</td><td>p is another voter</td><td>LOOKING</td>
 *       <td>send our vote to p</td></tr>
 *   <tr><td>DECIDED</td><td>Received LOOKING</td><td>known sender, we are a voter</td><td>DECIDED</td>
 *       <td>send our decided vote and state to the sender</td></tr>
 *   <tr><td>DECIDED</td><td>Received other, Tick, PeerReachable</td><td></td><td>DECIDED</td><td>none</td></tr>
 *   <tr><td>DECIDED</td><td>Start(z, e)</td><td>epoch(z) &le; e, e &ge; previous e</td><td>LOOKING</td>
 *       <td>as from IDLE; the clock carries over</td></tr>
 *   <tr><td>any</td><td>Start(z, e)</td><td>epoch(z) &gt; e, or e below the previous Start's</td><td>-</td>
 *       <td>{@link IllegalStateException} (a log ahead of its epoch file, an epoch going back)</td></tr>
 * </table>
 *
 * <h2>Where this departs from ZooKeeper</h2>
 * <ul>
 *   <li>ZooKeeper follows an established ensemble only if a majority reports the leader <em>and</em> the leader
 *       confirms LEADING. Here either suffices (for a leader other than us): a newcomer joins a live leader even
 *       while its link to the leader's followers is down, or joins a majority of followers before the leader's own
 *       answer arrives. FLE is a liveness device; ZAB's epoch protocol keeps a wrong guess safe (the newcomer fails
 *       to sync and looks again).</li>
 *   <li>ZooKeeper's finalize wait drops the notifications that do not beat the proposal; here every notification
 *       that arrives during the wait is processed normally, so a new round or an established ensemble is never
 *       lost.</li>
 *   <li>ZooKeeper may set its logical clock back to an established ensemble's round; here the clock never goes
 *       back, so a round number is never reused by the same server.</li>
 *   <li>A sender that leaves the election (FOLLOWING/LEADING) and later sends LOOKING is removed from the out-of-
 *       election set, so stale reports do not keep counting.</li>
 * </ul>
 */
public final class FastLeaderElection implements Election {

    /** Where the core is in its life cycle. */
    public enum Phase {
        /** Created; waits for {@code Start}. */
        IDLE,
        /** Exchanging votes. */
        LOOKING,
        /** Emitted {@link Decided}; answers LOOKING peers until the next {@code Start}. */
        DECIDED
    }

    private final ElectionConfig config;
    private final FleSettings settings;
    private final PeerId self;
    private final Set<PeerId> voters;
    /** Every other voter in sid order, so the actions come out in the same order on every JVM. */
    private final List<PeerId> otherVoters;
    private final int quorum;
    private final boolean selfVotes;

    private Phase phase = Phase.IDLE;
    private long logicalClock;
    private long ownZxid = -1;
    private long ownEpoch = -1;
    private Vote proposal;
    private PeerState decidedState;

    /** LOOKING votes of the current round, by sender (voters only). */
    private final Map<PeerId, Vote> roundVotes = new TreeMap<>();
    /** FOLLOWING/LEADING notifications seen during this look, by sender (voters only). */
    private final Map<PeerId, Notification> outOfElection = new TreeMap<>();

    private int resendIntervalTicks;
    private int ticksSinceBroadcast;
    /** Ticks left in the finalize wait; -1 when not waiting. */
    private int finalizeTicksLeft = -1;

    public FastLeaderElection(ElectionConfig config) {
        this(config, FleSettings.DEFAULTS);
    }

    public FastLeaderElection(ElectionConfig config, FleSettings settings) {
        this.config = Objects.requireNonNull(config, "config");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.self = config.self();
        this.voters = config.voters();
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("an election needs at least one voter");
        }
        if (config.isObserver() == voters.contains(self)) {
            throw new IllegalArgumentException("self " + self + " must be exactly one of voter or observer");
        }
        for (PeerId o : config.observers()) {
            if (voters.contains(o)) {
                throw new IllegalArgumentException("peer " + o + " is both voter and observer");
            }
        }
        TreeSet<PeerId> others = new TreeSet<>(voters);
        others.remove(self);
        this.otherVoters = List.copyOf(others);
        this.quorum = voters.size() / 2 + 1;
        this.selfVotes = voters.contains(self);
        this.logicalClock = settings.initialLogicalClock();
    }

    @Override
    public List<ElectionAction> handle(ElectionEvent event) {
        Objects.requireNonNull(event, "event");
        if (event instanceof ElectionEvent.Start start) {
            return start(start.lastLoggedZxid(), start.currentEpoch());
        }
        if (event instanceof ElectionEvent.Received received) {
            return receive(received.notification());
        }
        if (event instanceof ElectionEvent.Tick) {
            return tick();
        }
        if (event instanceof ElectionEvent.PeerReachable reachable) {
            return peerReachable(reachable.peer(), reachable.reachable());
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    /** Our proposal while looking, the decided vote after; {@code null} before the first {@code Start}. */
    @Override
    public Vote currentVote() {
        return proposal;
    }

    public Phase phase() {
        return phase;
    }

    /** The current election round. */
    public long logicalClock() {
        return logicalClock;
    }

    /** The state we announce: LOOKING while looking, the decided state after; {@code null} before the first look. */
    public PeerState announcedState() {
        return phase == Phase.LOOKING ? PeerState.LOOKING : decidedState;
    }

    /** The current re-send interval in ticks (doubles on each re-send, up to the configured cap). */
    public int resendIntervalTicks() {
        return resendIntervalTicks;
    }

    /** Whether a majority agrees with our proposal and we are waiting for a better vote before deciding. */
    public boolean finalizing() {
        return finalizeTicksLeft >= 0;
    }

    public int quorumSize() {
        return quorum;
    }

    public ElectionConfig config() {
        return config;
    }

    public FleSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------------------------------------------- start

    private List<ElectionAction> start(long lastLoggedZxid, long currentEpoch) {
        if (lastLoggedZxid < 0 || currentEpoch < 0) {
            throw new IllegalArgumentException("negative zxid 0x" + Zxid.toHex(lastLoggedZxid) + " or epoch "
                    + currentEpoch);
        }
        if (phase == Phase.LOOKING) {
            throw new IllegalStateException("Start while already LOOKING in round " + logicalClock + " (proposal "
                    + describe(proposal) + "); requested epoch " + currentEpoch + ", zxid 0x"
                    + Zxid.toHex(lastLoggedZxid));
        }
        if (Zxid.epoch(lastLoggedZxid) > currentEpoch) {
            throw new IllegalStateException("last logged zxid 0x" + Zxid.toHex(lastLoggedZxid) + " has epoch "
                    + Zxid.epoch(lastLoggedZxid) + ", above the current epoch " + currentEpoch
                    + "; the epoch file is behind the log");
        }
        if (currentEpoch < ownEpoch) {
            throw new IllegalStateException("current epoch went back from " + ownEpoch + " to " + currentEpoch
                    + " (zxid 0x" + Zxid.toHex(lastLoggedZxid) + ", previous zxid 0x" + Zxid.toHex(ownZxid) + ")");
        }
        phase = Phase.LOOKING;
        decidedState = null;
        ownZxid = lastLoggedZxid;
        ownEpoch = currentEpoch;
        logicalClock++;
        roundVotes.clear();
        outOfElection.clear();
        finalizeTicksLeft = -1;
        resendIntervalTicks = Math.min(settings.initialNotificationTicks(), config.notificationTimeoutTicksMax());
        proposal = ownVote();
        List<ElectionAction> actions = new ArrayList<>();
        broadcast(actions);
        checkMajority(actions);
        return actions;
    }

    private Vote ownVote() {
        return new Vote(self, ownZxid, logicalClock, ownEpoch);
    }

    // -------------------------------------------------------------------------------------------------- receive

    private List<ElectionAction> receive(Notification n) {
        if (!wellFormed(n)) {
            return List.of();
        }
        PeerId from = n.from();
        boolean fromVoter = voters.contains(from);
        if (!fromVoter && !config.observers().contains(from)) {
            return List.of();
        }
        switch (phase) {
            case IDLE:
                return List.of();
            case DECIDED:
                // An observer's answer would be ignored by the voter anyway (see below).
                return n.state() == PeerState.LOOKING && selfVotes ? List.of(sendOurVote(from)) : List.of();
            case LOOKING:
            default:
                break;
        }
        if (!fromVoter) {
            // An observer never votes; a looking one learns the leader from our answers.
            return n.state() == PeerState.LOOKING ? List.of(sendOurVote(from)) : List.of();
        }
        Vote v = n.vote();
        if (!voters.contains(v.leader())) {
            return List.of();
        }
        switch (n.state()) {
            case LOOKING:
                return receiveLooking(from, v);
            case FOLLOWING:
            case LEADING:
                if (n.state() == PeerState.LEADING && !v.leader().equals(from)) {
                    return List.of(); // only the leader itself can say it leads
                }
                outOfElection.put(from, n);
                return checkEstablished(n);
            case OBSERVING:
            default:
                return List.of(); // a voter never observes
        }
    }

    private boolean wellFormed(Notification n) {
        if (n == null || n.from() == null || n.state() == null || n.vote() == null || n.vote().leader() == null) {
            return false;
        }
        Vote v = n.vote();
        return !n.from().equals(self) && v.zxid() >= 0 && v.electionEpoch() >= 0 && v.peerEpoch() >= 0;
    }

    private List<ElectionAction> receiveLooking(PeerId from, Vote v) {
        outOfElection.remove(from);
        List<ElectionAction> actions = new ArrayList<>();
        if (v.electionEpoch() > logicalClock) {
            logicalClock = v.electionEpoch();
            roundVotes.clear();
            finalizeTicksLeft = -1;
            Vote own = ownVote();
            proposal = VoteOrder.beats(v, own, voters) ? v : own;
            broadcast(actions);
        } else if (v.electionEpoch() < logicalClock) {
            // Voters never count an observer, so an observer's answer cannot help the sender catch up; worse, the
            // voter answers every observer notification, so the two would answer each other forever.
            return selfVotes ? List.of(sendOurVote(from)) : List.of();
        } else if (VoteOrder.beats(v, proposal, voters)) {
            proposal = v;
            finalizeTicksLeft = -1;
            broadcast(actions);
        }
        roundVotes.put(from, v);
        checkMajority(actions);
        return actions;
    }

    /** Arms the finalize wait when a majority agrees with the proposal, cancels it when it no longer does. */
    private void checkMajority(List<ElectionAction> actions) {
        if (!majorityAgrees()) {
            finalizeTicksLeft = -1;
            return;
        }
        if (finalizeTicksLeft >= 0) {
            return;
        }
        if (settings.finalizeWaitTicks() == 0) {
            actions.add(decide(proposal));
        } else {
            finalizeTicksLeft = settings.finalizeWaitTicks();
        }
    }

    private boolean majorityAgrees() {
        if (!voters.contains(proposal.leader())) {
            return false;
        }
        int agree = selfVotes ? 1 : 0;
        for (Map.Entry<PeerId, Vote> e : roundVotes.entrySet()) {
            if (e.getValue().equals(proposal)) {
                agree++;
            }
        }
        return agree >= quorum;
    }

    private List<ElectionAction> checkEstablished(Notification n) {
        Vote v = n.vote();
        PeerId leader = v.leader();
        long epoch = v.peerEpoch();
        int agree = 0;
        for (Notification other : outOfElection.values()) {
            if (other.vote().leader().equals(leader) && other.vote().peerEpoch() == epoch) {
                agree++;
            }
        }
        if (leader.equals(self)) {
            // Followers of our previous incarnation must not make us lead: require this round.
            if (agree >= quorum && v.electionEpoch() == logicalClock) {
                return List.of(decide(v));
            }
            return List.of();
        }
        Notification fromLeader = outOfElection.get(leader);
        boolean leaderConfirms = fromLeader != null && fromLeader.state() == PeerState.LEADING
                && fromLeader.vote().peerEpoch() == epoch;
        if (agree >= quorum || leaderConfirms) {
            return List.of(decide(v));
        }
        return List.of();
    }

    private Decided decide(Vote vote) {
        if (phase != Phase.LOOKING) {
            throw new IllegalStateException("decide in phase " + phase + ", round " + logicalClock + ", epoch "
                    + ownEpoch + ", zxid 0x" + Zxid.toHex(ownZxid));
        }
        if (!voters.contains(vote.leader())) {
            throw new IllegalStateException("decide for non-voter " + vote.leader() + " in round " + logicalClock
                    + ", epoch " + ownEpoch + ", zxid 0x" + Zxid.toHex(ownZxid));
        }
        PeerState state;
        if (!selfVotes) {
            state = PeerState.OBSERVING;
        } else if (vote.leader().equals(self)) {
            state = PeerState.LEADING;
        } else {
            state = PeerState.FOLLOWING;
        }
        phase = Phase.DECIDED;
        decidedState = state;
        proposal = vote;
        logicalClock = Math.max(logicalClock, vote.electionEpoch());
        finalizeTicksLeft = -1;
        roundVotes.clear();
        outOfElection.clear();
        return new Decided(vote, state);
    }

    // ----------------------------------------------------------------------------------------------------- time

    private List<ElectionAction> tick() {
        if (phase != Phase.LOOKING) {
            return List.of();
        }
        if (finalizeTicksLeft > 0) {
            finalizeTicksLeft--;
            if (finalizeTicksLeft == 0) {
                if (majorityAgrees()) {
                    return List.of(decide(proposal));
                }
                finalizeTicksLeft = -1;
            }
        }
        List<ElectionAction> actions = new ArrayList<>();
        ticksSinceBroadcast++;
        if (ticksSinceBroadcast >= resendIntervalTicks) {
            broadcast(actions);
            resendIntervalTicks = (int) Math.min(2L * resendIntervalTicks, config.notificationTimeoutTicksMax());
        }
        return actions;
    }

    private List<ElectionAction> peerReachable(PeerId peer, boolean reachable) {
        if (phase != Phase.LOOKING || !reachable || peer == null || peer.equals(self) || !voters.contains(peer)) {
            return List.of();
        }
        return List.of(sendOurVote(peer));
    }

    // ---------------------------------------------------------------------------------------------------- sends

    private void broadcast(List<ElectionAction> actions) {
        ticksSinceBroadcast = 0;
        for (PeerId to : otherVoters) {
            actions.add(sendOurVote(to));
        }
    }

    private Send sendOurVote(PeerId to) {
        return new Send(to, new Notification(self, announcedState(), proposal, settings.configVersion()));
    }

    private static String describe(Vote v) {
        return v == null ? "none" : "(leader " + v.leader() + ", zxid 0x" + Zxid.toHex(v.zxid()) + ", round "
                + v.electionEpoch() + ", epoch " + v.peerEpoch() + ")";
    }

    @Override
    public String toString() {
        return "FastLeaderElection[self=" + self + ", phase=" + phase + ", round=" + logicalClock + ", proposal="
                + describe(proposal) + "]";
    }
}
