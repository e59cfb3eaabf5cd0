package io.paddock.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A stand-in for Fast Leader Election that sees the whole simulated world. Each world tick, a looking peer that can
 * reach a live leader follows it (as FLE's LEADING/FOLLOWING notifications would lead it to); otherwise, when a
 * quorum of looking voters can reach each other, the most up-to-date of them by (currentEpoch, lastLoggedZxid, sid)
 * leads and the rest follow. With {@link SimOptions#electionChaos} it picks a random one instead, as a stale or
 * buggy election might; the leader core must then step down at ACKEPOCH rather than lose data.
 */
public final class OracleElection implements ElectionSeam {

    @Override
    public void onWorldTick(Simulator sim) {
        List<SimPeer> looking = sim.lookingPeers();
        if (looking.isEmpty()) {
            return;
        }
        List<SimPeer> unassigned = new ArrayList<>();
        for (SimPeer p : looking) {
            SimPeer leader = null;
            for (SimPeer q : sim.peers()) {
                if (q.up && q.leaderCore() != null && !q.leaderCore().stopped() && sim.reachable(p.id, q.id)
                        && (leader == null || q.leaderCore().epoch() > leader.leaderCore().epoch())) {
                    leader = q;
                }
            }
            if (leader != null) {
                sim.becomeLearner(p.id, leader.id);
            } else {
                unassigned.add(p);
            }
        }
        Comparator<SimPeer> recency = Comparator.<SimPeer>comparingLong(p -> p.storage.currentEpoch)
                .thenComparingLong(p -> p.storage.lastLogged()).thenComparingLong(p -> p.id);
        while (true) {
            SimPeer chosen = null;
            List<SimPeer> followers = null;
            for (SimPeer v : unassigned) {
                if (!v.voter) {
                    continue;
                }
                List<SimPeer> voters = new ArrayList<>();
                for (SimPeer u : unassigned) {
                    if (u.voter && sim.reachable(u.id, v.id)) {
                        voters.add(u);
                    }
                }
                if (voters.size() < sim.quorumSize()) {
                    continue;
                }
                SimPeer candidate = voters.stream().max(recency).orElseThrow();
                Long preferred = sim.preferredLeader();
                if (preferred != null) {
                    for (SimPeer u : voters) {
                        if (u.id == preferred) {
                            candidate = u;
                        }
                    }
                } else if (sim.random().nextDouble() < sim.options().electionChaos) {
                    candidate = voters.get(sim.random().nextInt(voters.size()));
                }
                List<SimPeer> with = new ArrayList<>();
                int votes = 1;
                for (SimPeer u : unassigned) {
                    if (u != candidate && sim.reachable(u.id, candidate.id)) {
                        with.add(u);
                        if (u.voter) {
                            votes++;
                        }
                    }
                }
                if (votes >= sim.quorumSize()) {
                    chosen = candidate;
                    followers = with;
                    break;
                }
            }
            if (chosen == null) {
                return;
            }
            sim.becomeLeader(chosen.id);
            unassigned.remove(chosen);
            for (SimPeer f : followers) {
                sim.becomeLearner(f.id, chosen.id);
                unassigned.remove(f);
            }
        }
    }
}
