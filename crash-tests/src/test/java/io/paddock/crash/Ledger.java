package io.paddock.crash;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * What the writer sent, what the server acknowledged, and what was found after each restart; the checks live here.
 *
 * <p>Three kinds of write, each identified by the op number that issued it:
 * <ul>
 *   <li>persistent creates {@code /crash/p/p-<op>}, data = the name;</li>
 *   <li>sequential creates under {@code /crash/s/s-}, data = {@code q-<op>} (the server picks the name, the data says
 *       which op made it);</li>
 *   <li>{@code setData /crash/counter <op>}: op numbers only grow, so the counter's value only grows;</li>
 *   <li>multis of two creates {@code /crash/m/m-<op>-a} and {@code -b} plus a setData of {@code /crash/m}: after any
 *       restart both creates are there or neither is.</li>
 * </ul>
 *
 * <p>A write whose reply was lost with the server (connection loss) has an unknown outcome (Jepsen's :info): it may or
 * may not be found after the restart. Whatever is found once is "seen" and must stay; an unacknowledged write that is
 * absent after a restart is "lost (unacknowledged)", allowed, and must never appear later. Every rule broken is
 * recorded as an anomaly; the test fails on any.
 *
 * <p>Ack callbacks arrive on the client's event thread while checks run on the test thread between loads; every
 * method is synchronized.
 */
final class Ledger {
    static final String ROOT = "/crash";
    static final String NODES = ROOT + "/p";
    static final String SEQ = ROOT + "/s";
    static final String SEQ_PREFIX = "s-";
    static final String COUNTER = ROOT + "/counter";
    static final String MULTI = ROOT + "/m";
    private static final Pattern SEQ_NAME = Pattern.compile("s-(\\d{10})");
    private static final Pattern MULTI_NAME = Pattern.compile("(m-\\d+)-[ab]");
    private static final long READ_TIMEOUT_MS = 30_000;

    private final Set<String> sentNodes = new HashSet<>();
    private final Set<String> ackedNodes = new HashSet<>();
    private final Set<String> seenNodes = new HashSet<>();
    private final Set<String> lostUnackedNodes = new HashSet<>();

    private final Set<String> sentSeq = new HashSet<>();
    /** op id -> the name the server acknowledged */
    private final Map<String, String> ackedSeq = new HashMap<>();
    /** name -> op id, for every sequential node found by a check */
    private final Map<String, String> seenSeq = new HashMap<>();
    private final Set<String> lostUnackedSeq = new HashSet<>();
    private long highestSuffix = -1;

    /** multis by their op id {@code m-<op>} */
    private final Set<String> sentMulti = new HashSet<>();
    private final Set<String> ackedMulti = new HashSet<>();
    private final Set<String> seenMulti = new HashSet<>();
    private final Set<String> lostUnackedMulti = new HashSet<>();

    private final Set<Long> sentCounter = new HashSet<>();
    private long ackedCounter;
    private long counterFloor;

    private long lastAckedZxid;
    private long nextOp;
    private long acked;
    private long ackedThisRound;
    private long unknownOutcomes;
    private long checkedAcks;
    private long lostAcked;
    private final List<String> anomalies = new ArrayList<>();

    // ---- the writer's side -------------------------------------------------------------------------------------

    synchronized long nextOp() {
        return ++nextOp;
    }

    synchronized String sendNode(long op) {
        String name = "p-" + op;
        sentNodes.add(name);
        return name;
    }

    synchronized String sendSeq(long op) {
        String id = "q-" + op;
        sentSeq.add(id);
        return id;
    }

    synchronized String sendMulti(long op) {
        String id = "m-" + op;
        sentMulti.add(id);
        return id;
    }

    synchronized void ackMulti(String id, long zxid) {
        ackedMulti.add(id);
        ack("multi " + id, zxid);
    }

    synchronized void sendCounter(long op) {
        sentCounter.add(op);
    }

    synchronized void ackNode(String name, long czxid) {
        ackedNodes.add(name);
        ack("create " + NODES + "/" + name, czxid);
    }

    synchronized void ackSeq(String id, String path, long czxid) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        ackedSeq.put(id, name);
        Matcher m = SEQ_NAME.matcher(name);
        if (!m.matches()) {
            anomaly("sequential create " + id + " was acknowledged as " + path + ", not a " + SEQ_PREFIX
                    + "<10 digits> name");
        } else {
            long suffix = Long.parseLong(m.group(1));
            if (suffix <= highestSuffix) {
                anomaly("sequential suffix went backwards: " + id + " got " + name + " after suffix "
                        + highestSuffix + " was acknowledged or seen");
            }
            highestSuffix = Math.max(highestSuffix, suffix);
        }
        ack("create " + path, czxid);
    }

    synchronized void ackCounter(long value, long mzxid) {
        ackedCounter = Math.max(ackedCounter, value);
        ack("setData " + COUNTER + " " + value, mzxid);
    }

    /** Setup writes and the final probe write count for the zxid rule only. */
    synchronized void ackOther(String what, long zxid) {
        ack(what, zxid);
    }

    private void ack(String what, long zxid) {
        // one session, replies in order: every acknowledged zxid is above the one acknowledged before, restarts or not
        if (zxid <= lastAckedZxid) {
            anomaly("zxid went backwards: " + what + " acknowledged at 0x" + Long.toHexString(zxid)
                    + " after 0x" + Long.toHexString(lastAckedZxid) + " was");
        }
        lastAckedZxid = Math.max(lastAckedZxid, zxid);
        acked++;
        ackedThisRound++;
    }

    synchronized void unknown() {
        unknownOutcomes++;
    }

    synchronized void anomaly(String what) {
        anomalies.add(what);
    }

    synchronized long startRound() {
        long n = ackedThisRound;
        ackedThisRound = 0;
        return n;
    }

    synchronized long ackedThisRound() {
        return ackedThisRound;
    }

    // ---- the checks after a restart --------------------------------------------------------------------------

    /**
     * Reads the tree and checks it against everything sent and acknowledged so far. With {@code full}, also re-reads
     * the data of nodes already checked; otherwise only nodes found for the first time are read.
     */
    void check(ZooKeeper zk, boolean full) throws Exception {
        List<String> nodes = children(zk, NODES);
        List<String> seqs = children(zk, SEQ);
        List<String> multis = children(zk, MULTI);
        String counter;
        try {
            counter = new String(zk.getData(COUNTER, false, new Stat()), StandardCharsets.US_ASCII);
        } catch (KeeperException.NoNodeException e) {
            anomaly("LOST: " + COUNTER + ", created and acknowledged before the first kill, is gone");
            counter = "0";
        }
        Map<String, byte[]> data;
        Set<String> toRead = new TreeSet<>();
        synchronized (this) {
            for (String n : nodes) {
                if (full || !seenNodes.contains(n)) {
                    toRead.add(NODES + "/" + n);
                }
            }
            for (String s : seqs) {
                if (full || !seenSeq.containsKey(s)) {
                    toRead.add(SEQ + "/" + s);
                }
            }
        }
        data = readAll(zk, toRead);
        synchronized (this) {
            checkNodes(new HashSet<>(nodes), data);
            checkSeq(seqs, data);
            checkMulti(multis);
            checkCounter(counter);
        }
    }

    private void checkNodes(Set<String> present, Map<String, byte[]> data) {
        for (String n : present) {
            if (!sentNodes.contains(n)) {
                anomaly("PHANTOM: " + NODES + "/" + n + " exists but was never sent");
            } else if (lostUnackedNodes.contains(n)) {
                anomaly("RESURRECTED: " + NODES + "/" + n + " was absent after an earlier restart and is back");
            }
            byte[] d = data.get(NODES + "/" + n);
            if (d != null && !n.equals(new String(d, StandardCharsets.US_ASCII))) {
                anomaly("CORRUPT: " + NODES + "/" + n + " holds '" + new String(d, StandardCharsets.US_ASCII) + "'");
            }
        }
        for (String n : ackedNodes) {
            checkedAcks++;
            if (!present.contains(n)) {
                lostAcked++;
                anomaly("LOST: " + NODES + "/" + n + " was acknowledged and is gone");
            }
        }
        for (String n : seenNodes) {
            if (!present.contains(n) && !ackedNodes.contains(n)) {
                anomaly("ROLLED BACK: " + NODES + "/" + n + " was found after an earlier restart and is gone");
            }
        }
        seenNodes.addAll(present);
        for (String n : sentNodes) {
            if (!present.contains(n) && !ackedNodes.contains(n)) {
                lostUnackedNodes.add(n);
            }
        }
    }

    private void checkSeq(List<String> present, Map<String, byte[]> data) {
        Map<String, String> idToName = new HashMap<>();
        Map<String, String> nameToId = new HashMap<>();
        for (String name : present) {
            Matcher m = SEQ_NAME.matcher(name);
            if (!m.matches()) {
                anomaly("PHANTOM: " + SEQ + "/" + name + " is not a name the writer's creates make");
                continue;
            }
            highestSuffix = Math.max(highestSuffix, Long.parseLong(m.group(1)));
            byte[] d = data.get(SEQ + "/" + name);
            String id = d != null ? new String(d, StandardCharsets.US_ASCII) : seenSeq.get(name);
            if (d != null && seenSeq.containsKey(name) && !seenSeq.get(name).equals(id)) {
                anomaly("CORRUPT: " + SEQ + "/" + name + " held " + seenSeq.get(name) + ", now " + id);
            }
            if (!sentSeq.contains(id)) {
                anomaly("PHANTOM: " + SEQ + "/" + name + " holds '" + id + "', which was never sent");
            } else if (lostUnackedSeq.contains(id)) {
                anomaly("RESURRECTED: " + id + " (" + SEQ + "/" + name + ") was absent after an earlier restart");
            }
            String other = idToName.put(id, name);
            if (other != null) {
                anomaly("DUPLICATE: " + id + " was applied twice, as " + other + " and " + name);
            }
            nameToId.put(name, id);
            String ackedName = ackedSeq.get(id);
            if (ackedName != null && !ackedName.equals(name)) {
                anomaly("MOVED: " + id + " was acknowledged as " + ackedName + " and is found as " + name);
            }
        }
        for (Map.Entry<String, String> e : ackedSeq.entrySet()) {
            checkedAcks++;
            if (!nameToId.containsKey(e.getValue())) {
                lostAcked++;
                anomaly("LOST: " + SEQ + "/" + e.getValue() + " (" + e.getKey() + ") was acknowledged and is gone");
            }
        }
        for (Map.Entry<String, String> e : seenSeq.entrySet()) {
            if (!nameToId.containsKey(e.getKey()) && !ackedSeq.containsKey(e.getValue())) {
                anomaly("ROLLED BACK: " + SEQ + "/" + e.getKey() + " was found after an earlier restart and is gone");
            }
        }
        seenSeq.putAll(nameToId);
        for (String id : sentSeq) {
            if (!idToName.containsKey(id) && !ackedSeq.containsKey(id)) {
                lostUnackedSeq.add(id);
            }
        }
    }

    private void checkMulti(List<String> present) {
        Map<String, Integer> halves = new HashMap<>();
        for (String name : present) {
            Matcher m = MULTI_NAME.matcher(name);
            if (!m.matches()) {
                anomaly("PHANTOM: " + MULTI + "/" + name + " is not a name the writer's multis make");
                continue;
            }
            halves.merge(m.group(1), 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : halves.entrySet()) {
            String id = e.getKey();
            if (e.getValue() != 2) {
                anomaly("PARTIAL: only one of the two creates of multi " + id + " exists");
            }
            if (!sentMulti.contains(id)) {
                anomaly("PHANTOM: multi " + id + " was never sent");
            } else if (lostUnackedMulti.contains(id)) {
                anomaly("RESURRECTED: multi " + id + " was absent after an earlier restart and is back");
            }
        }
        for (String id : ackedMulti) {
            checkedAcks++;
            if (!halves.containsKey(id)) {
                lostAcked++;
                anomaly("LOST: multi " + id + " was acknowledged and its creates are gone");
            }
        }
        for (String id : seenMulti) {
            if (!halves.containsKey(id) && !ackedMulti.contains(id)) {
                anomaly("ROLLED BACK: multi " + id + " was found after an earlier restart and is gone");
            }
        }
        seenMulti.addAll(halves.keySet());
        for (String id : sentMulti) {
            if (!halves.containsKey(id) && !ackedMulti.contains(id)) {
                lostUnackedMulti.add(id);
            }
        }
    }

    private void checkCounter(String text) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            anomaly("CORRUPT: " + COUNTER + " holds '" + text + "'");
            return;
        }
        checkedAcks++;
        if (value < ackedCounter) {
            lostAcked++;
            anomaly("LOST: " + COUNTER + " is " + value + " but " + ackedCounter + " was acknowledged");
        } else if (value < counterFloor) {
            anomaly("ROLLED BACK: " + COUNTER + " is " + value + " but was " + counterFloor + " after a restart");
        }
        if (value != 0 && !sentCounter.contains(value)) {
            anomaly("PHANTOM: " + COUNTER + " is " + value + ", a value never sent");
        }
        counterFloor = Math.max(counterFloor, value);
    }

    private List<String> children(ZooKeeper zk, String parent) throws Exception {
        try {
            return zk.getChildren(parent, false);
        } catch (KeeperException.NoNodeException e) {
            anomaly("LOST: " + parent + ", created and acknowledged before the first kill, is gone");
            return List.of();
        }
    }

    /** getData of every path, pipelined (async), so a check of thousands of nodes takes one round trip's worth. */
    private static Map<String, byte[]> readAll(ZooKeeper zk, Set<String> paths) throws Exception {
        Map<String, CompletableFuture<byte[]>> pending = new HashMap<>();
        for (String p : paths) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            pending.put(p, f);
            zk.getData(p, false, (rc, path, ctx, bytes, stat) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    f.complete(bytes);
                } else {
                    f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
                }
            }, null);
        }
        Map<String, byte[]> out = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<byte[]>> e : pending.entrySet()) {
            out.put(e.getKey(), e.getValue().get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
        return out;
    }

    // ---- the report ---------------------------------------------------------------------------------------------

    synchronized List<String> anomalies() {
        return new ArrayList<>(anomalies);
    }

    synchronized long acked() {
        return acked;
    }

    synchronized long checkedAcks() {
        return checkedAcks;
    }

    synchronized long lostAcked() {
        return lostAcked;
    }

    synchronized long unknownOutcomes() {
        return unknownOutcomes;
    }

    synchronized long distinctAckedWrites() {
        return ackedNodes.size() + ackedSeq.size() + ackedMulti.size() + (ackedCounter > 0 ? 1 : 0);
    }

    synchronized String tally() {
        return "sent " + (sentNodes.size() + sentSeq.size() + sentMulti.size() + sentCounter.size()) + ", acknowledged "
                + acked
                + ", outcome unknown " + unknownOutcomes + " (creates among them found after the restart: "
                + (seenNodes.stream().filter(n -> !ackedNodes.contains(n)).count()
                        + seenSeq.values().stream().filter(id -> !ackedSeq.containsKey(id)).count()
                        + seenMulti.stream().filter(id -> !ackedMulti.contains(id)).count())
                + ", not found: " + (lostUnackedNodes.size() + lostUnackedSeq.size() + lostUnackedMulti.size()) + ")";
    }
}
