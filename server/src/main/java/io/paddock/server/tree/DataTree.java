package io.paddock.server.tree;

import io.paddock.api.Acl;
import io.paddock.protocol.EventType;
import io.paddock.server.watch.WatchManager;
import io.paddock.server.watch.Watcher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The znode tree. Changes come only from the apply thread ({@code apply*} methods); reads come from any thread.
 *
 * <p>Locking: one monitor per stripe of paths ({@link #lockFor}). A reader holds the lock of the one path it reads
 * while it copies the node and registers a watch; the apply thread holds the locks of the node and its parent while
 * it changes them and fires their watches. So a reader never sees half a change, and a watch is either registered
 * before a change (and fires) or after it (and the reader saw the new state). No global lock: reads of different
 * paths never contend. Only the apply thread ever holds two stripes, so there is no lock-order cycle.
 */
public final class DataTree {
    private static final Logger LOG = LoggerFactory.getLogger(DataTree.class);

    private static final int STRIPES = 1024;
    private static final byte[] EMPTY = new byte[0];

    public static final String ROOT = "/";
    public static final String ZOOKEEPER = "/zookeeper";
    public static final String QUOTA = "/zookeeper/quota";
    public static final String CONFIG = "/zookeeper/config";

    private final Map<String, DataNode> nodes = new ConcurrentHashMap<>(1024);
    private final Object[] stripes = new Object[STRIPES];
    private final WatchManager watches;
    private final Map<Long, Set<String>> ephemeralsBySession = new ConcurrentHashMap<>();
    /** Containers and TTL nodes, which the reaper checks. */
    private final Set<String> reapable = ConcurrentHashMap.newKeySet();
    /** Identical ACL lists share one instance: most trees use a handful of ACLs for millions of nodes. */
    private final Map<List<Acl>, List<Acl>> aclCache = new ConcurrentHashMap<>();
    private final AtomicLong approximateDataBytes = new AtomicLong();
    private final Quotas quotas = new Quotas();
    /**
     * Sum over all nodes of a hash of (path, data, stat, ACL): the same txns applied in the same order give the same
     * digest on every peer, so comparing digests at equal zxids finds a diverged replica (the {@code hash} 4lw).
     */
    private final AtomicLong digest = new AtomicLong();
    /**
     * Txns at or below this zxid may already be reflected, in part, in the fuzzy snapshot the tree was restored from,
     * so applying them tolerates "already done" (a create of an existing node, a delete of a missing one) and must
     * still end in the state of a replica that never restarted. The snapshot sets it: the zxid being applied when its
     * walk ended, or for snapshots of the first format the highest zxid any of its records carries (which misses a
     * delete of a node whose parent the walk had already written: ZOOKEEPER-3145).
     */
    private volatile long fuzzyHorizon;
    /**
     * The zxid of the change the apply thread is making or made last, written before the change touches any node, so
     * a snapshot walk that saw any part of a change reads a value at least its zxid afterwards (through the stripe
     * lock both take).
     */
    private volatile long changeZxid;
    /**
     * Ephemeral paths -> owner as the restored snapshot listed them per session before its walk began, kept only while
     * replayed txns are inside the fuzzy window. A closeSession carries no paths, so an ephemeral that it deleted
     * after the walk had written the parent leaves no trace in the tree; this map is how the replay finds it and
     * raises that parent's pzxid. Entries leave when their node is deleted; the map is emptied once a txn above the
     * horizon is applied. Apply thread only.
     */
    private final Map<String, Long> fuzzyEphemerals = new ConcurrentHashMap<>();

    public DataTree(WatchManager watches) {
        this.watches = watches;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        addBuiltIns();
    }

    private void addBuiltIns() {
        DataNode root = new DataNode(EMPTY, intern(Acl.OPEN_ACL_UNSAFE), 0, 0, 0);
        DataNode zk = new DataNode(EMPTY, intern(Acl.OPEN_ACL_UNSAFE), 0, 0, 0);
        DataNode quota = new DataNode(EMPTY, intern(Acl.OPEN_ACL_UNSAFE), 0, 0, 0);
        DataNode config = new DataNode(EMPTY, intern(Acl.READ_ACL_UNSAFE), 0, 0, 0);
        // Built-in children are attached without counting as "created", as ZooKeeper does (root cversion shows -1).
        root.addChild("zookeeper");
        zk.addChild("quota");
        zk.addChild("config");
        nodes.put(ROOT, root);
        nodes.put(ZOOKEEPER, zk);
        nodes.put(QUOTA, quota);
        nodes.put(CONFIG, config);
        for (Map.Entry<String, DataNode> e : nodes.entrySet()) {
            digest.addAndGet(hashOf(e.getKey(), e.getValue()));
        }
    }

    /** Whether a path is one of the built-in nodes that cannot be deleted. */
    public static boolean isBuiltIn(String path) {
        return ROOT.equals(path) || ZOOKEEPER.equals(path) || QUOTA.equals(path) || CONFIG.equals(path);
    }

    public WatchManager watches() {
        return watches;
    }

    /** The lock guarding the node at {@code path} (and watch registration on that path). */
    public Object lockFor(String path) {
        return stripes[(path.hashCode() * 0x9E3779B9 >>> 22) & (STRIPES - 1)];
    }

    /** The node at {@code path}; the caller must hold {@link #lockFor}(path) to read its fields consistently. */
    public DataNode node(String path) {
        return nodes.get(path);
    }

    public List<Acl> intern(List<Acl> acl) {
        List<Acl> copy = List.copyOf(acl);
        List<Acl> prior = aclCache.putIfAbsent(copy, copy);
        return prior != null ? prior : copy;
    }

    public int nodeCount() {
        return nodes.size();
    }

    public long approximateDataBytes() {
        return approximateDataBytes.get();
    }

    public Set<String> ephemerals(long sessionId) {
        Set<String> s = ephemeralsBySession.get(sessionId);
        return s == null ? Set.of() : Collections.unmodifiableSet(s);
    }

    public int ephemeralCount() {
        int n = 0;
        for (Set<String> s : ephemeralsBySession.values()) {
            n += s.size();
        }
        return n;
    }

    public Set<String> reapablePaths() {
        return Collections.unmodifiableSet(reapable);
    }

    /** Number of descendants of {@code path} (for "/" every node but the root itself). */
    public int descendantCount(String path) {
        if (ROOT.equals(path)) {
            return nodes.size() - 1;
        }
        String prefix = path + "/";
        int n = 0;
        for (String p : nodes.keySet()) {
            if (p.startsWith(prefix)) {
                n++;
            }
        }
        return n;
    }

    /** Every path, for snapshots and dumps (weakly consistent while writes go on). */
    public Iterable<String> paths() {
        return nodes.keySet();
    }

    // ---------------------------------------------------------------- apply (apply thread only)

    /** Applies a create; the caller validated it in prepare, so a missing parent means the log is inconsistent. */
    public void applyCreate(String path, byte[] data, List<Acl> acl, long ephemeralOwner, int parentCreatedChildren,
            long zxid, long time) {
        boolean tolerant = beginChange(zxid);
        String parentPath = PathRules.parentOf(path);
        // Only the apply thread ever holds two stripes, so any order is deadlock-free.
        synchronized (lockFor(parentPath)) {
            synchronized (lockFor(path)) {
                DataNode parent = nodes.get(parentPath);
                if (parent == null) {
                    if (tolerant) {
                        return; // the parent's later delete is in the snapshot already
                    }
                    throw new IllegalStateException("create " + path + " at zxid 0x" + Long.toHexString(zxid)
                            + ": parent missing");
                }
                if (nodes.containsKey(path)) {
                    if (tolerant) {
                        // The snapshot holds this node already (this incarnation or a later one, whose own txns
                        // follow): only the parent's counters may lag. Both are monotonic, so max is exact.
                        long before = hashOf(parentPath, parent);
                        parent.addChild(PathRules.nameOf(path));
                        parent.createdChildren = Math.max(parent.createdChildren, parentCreatedChildren);
                        parent.pzxid = Math.max(parent.pzxid, zxid);
                        digest.addAndGet(hashOf(parentPath, parent) - before);
                        return;
                    }
                    throw new IllegalStateException("create " + path + " at zxid 0x" + Long.toHexString(zxid)
                            + ": node exists");
                }
                DataNode node = new DataNode(data, intern(acl), zxid, time, ephemeralOwner);
                nodes.put(path, node);
                long parentBefore = hashOf(parentPath, parent);
                parent.addChild(PathRules.nameOf(path));
                parent.createdChildren = tolerant ? Math.max(parent.createdChildren, parentCreatedChildren)
                        : parentCreatedChildren;
                parent.pzxid = Math.max(parent.pzxid, zxid);
                digest.addAndGet(hashOf(parentPath, parent) - parentBefore + hashOf(path, node));
                approximateDataBytes.addAndGet(path.length() + (data == null ? 0 : data.length));
                if (EphemeralOwner.isSession(ephemeralOwner)) {
                    ephemeralsBySession.computeIfAbsent(ephemeralOwner, k -> ConcurrentHashMap.newKeySet()).add(path);
                } else if (ephemeralOwner != EphemeralOwner.PERSISTENT) {
                    reapable.add(path);
                }
                watches.triggerData(path, EventType.NODE_CREATED, zxid, node.acl);
                watches.triggerChild(parentPath, EventType.NODE_CHILDREN_CHANGED, zxid, parent.acl, null);
            }
        }
        quotaAfterChange(path, data, 1, data == null ? 0 : data.length);
    }

    public void applyDelete(String path, long zxid) {
        boolean tolerant = beginChange(zxid);
        if (tolerant && !fuzzyEphemerals.isEmpty()) {
            fuzzyEphemerals.remove(path);
        }
        String parentPath = PathRules.parentOf(path);
        int removedBytes;
        // Only the apply thread ever holds two stripes, so any order is deadlock-free.
        synchronized (lockFor(parentPath)) {
            synchronized (lockFor(path)) {
                DataNode node = nodes.get(path);
                DataNode parent = nodes.get(parentPath);
                if (node == null || parent == null || node.numChildren() > 0 || tolerant && node.czxid > zxid) {
                    if (tolerant) {
                        // Already deleted in the snapshot (or replaced by a later incarnation, which its own txns
                        // settle). The walk may have written the parent before this delete: raise its pzxid to
                        // what an un-crashed replica has (cversion follows from the child count and create counter).
                        if (parent != null && (node == null || node.czxid > zxid)) {
                            touchParent(parentPath, parent, zxid);
                        }
                        return;
                    }
                    throw new IllegalStateException("delete " + path + " at zxid 0x" + Long.toHexString(zxid)
                            + ": node missing or not empty");
                }
                nodes.remove(path);
                removedBytes = node.data == null ? 0 : node.data.length;
                long parentBefore = hashOf(parentPath, parent);
                parent.removeChild(PathRules.nameOf(path));
                parent.pzxid = Math.max(parent.pzxid, zxid);
                digest.addAndGet(hashOf(parentPath, parent) - parentBefore - hashOf(path, node));
                approximateDataBytes.addAndGet(-(path.length() + (node.data == null ? 0 : node.data.length)));
                long owner = node.ephemeralOwner;
                if (EphemeralOwner.isSession(owner)) {
                    Set<String> s = ephemeralsBySession.get(owner);
                    if (s != null) {
                        s.remove(path);
                        if (s.isEmpty()) {
                            ephemeralsBySession.remove(owner, s);
                        }
                    }
                } else if (owner != EphemeralOwner.PERSISTENT) {
                    reapable.remove(path);
                }
                Set<Watcher> notified = watches.triggerData(path, EventType.NODE_DELETED, zxid, node.acl);
                watches.triggerChild(path, EventType.NODE_DELETED, zxid, node.acl, notified);
                watches.triggerChild(parentPath, EventType.NODE_CHILDREN_CHANGED, zxid, parent.acl, null);
            }
        }
        quotaAfterChange(path, null, -1, -removedBytes);
    }

    public void applySetData(String path, byte[] data, int newVersion, long zxid, long time) {
        int delta;
        synchronized (lockFor(path)) {
            DataNode node = nodes.get(path);
            boolean tolerant = beginChange(zxid);
            if (node == null || tolerant && node.czxid > zxid) {
                if (tolerant) {
                    // Deleted later (or a later incarnation holds the path): the txns that follow settle it.
                    return;
                }
                throw new IllegalStateException("setData " + path + " at zxid 0x" + Long.toHexString(zxid)
                        + ": node missing");
            }
            delta = (data == null ? 0 : data.length) - (node.data == null ? 0 : node.data.length);
            approximateDataBytes.addAndGet(delta);
            long before = hashOf(path, node);
            node.data = data;
            node.version = newVersion;
            node.mzxid = zxid;
            node.mtime = time;
            digest.addAndGet(hashOf(path, node) - before);
            watches.triggerData(path, EventType.NODE_DATA_CHANGED, zxid, node.acl);
        }
        quotaAfterChange(path, data, 0, delta);
    }

    /**
     * Sets the data of a built-in node outside the txn stream (the membership text of {@code /zookeeper/config},
     * which every server derives from its own config). Its stat is left alone and, for {@link #CONFIG}, the data
     * stays out of the digest, so peers stay comparable whatever text they were given. Data watches fire.
     */
    public void setSystemData(String path, byte[] data) {
        if (!isBuiltIn(path)) {
            throw new IllegalArgumentException(path + " is not a built-in node");
        }
        synchronized (lockFor(path)) {
            DataNode node = nodes.get(path);
            approximateDataBytes.addAndGet((data == null ? 0 : data.length)
                    - (node.data == null ? 0 : node.data.length));
            long before = hashOf(path, node);
            node.data = data;
            digest.addAndGet(hashOf(path, node) - before);
            watches.triggerData(path, EventType.NODE_DATA_CHANGED, node.mzxid, node.acl);
        }
    }

    public void applySetAcl(String path, List<Acl> acl, int newAversion, long zxid) {
        synchronized (lockFor(path)) {
            DataNode node = nodes.get(path);
            boolean tolerant = beginChange(zxid);
            if (node == null || tolerant && node.czxid > zxid) {
                if (tolerant) {
                    return;
                }
                throw new IllegalStateException("setACL " + path + " at zxid 0x" + Long.toHexString(zxid)
                        + ": node missing");
            }
            long before = hashOf(path, node);
            node.acl = intern(acl);
            node.aversion = newAversion;
            digest.addAndGet(hashOf(path, node) - before);
        }
    }

    public Quotas quotas() {
        return quotas;
    }

    /** The recorded usage of a quota'd subtree (its stats node), or null when it has no stats node. */
    public Quotas.Usage quotaUsage(String subtree) {
        String statsPath = Quotas.statsPath(subtree);
        synchronized (lockFor(statsPath)) {
            DataNode n = nodes.get(statsPath);
            return n == null ? null : Quotas.parseUsage(n.data);
        }
    }

    /** Keeps quota limits and usage current after a change (apply thread, after the change's locks are released). */
    private void quotaAfterChange(String path, byte[] data, int countDelta, int bytesDelta) {
        if (Quotas.isQuotaPath(path)) {
            String subtree = Quotas.subtreeOf(path);
            String name = PathRules.nameOf(path);
            if (subtree == null) {
                return;
            }
            if (Quotas.LIMITS_NODE.equals(name)) {
                if (countDelta < 0) {
                    quotas.remove(subtree);
                } else {
                    quotas.set(subtree, Quotas.parseLimits(data));
                    writeUsage(subtree, computeUsage(subtree));
                }
            } else if (Quotas.STATS_NODE.equals(name) && countDelta > 0) {
                writeUsage(subtree, computeUsage(subtree));
            }
            return;
        }
        String subtree = quotas.subtreeFor(path);
        if (subtree == null || countDelta == 0 && bytesDelta == 0) {
            return;
        }
        String statsPath = Quotas.statsPath(subtree);
        Quotas.Usage usage;
        synchronized (lockFor(statsPath)) {
            DataNode stats = nodes.get(statsPath);
            if (stats == null) {
                return;
            }
            Quotas.Usage old = Quotas.parseUsage(stats.data);
            usage = new Quotas.Usage(old.count() + countDelta, old.bytes() + bytesDelta);
            setUsageData(statsPath, stats, usage);
        }
        Quotas.Limits limits = quotas.limits(subtree);
        if (limits.count() >= 0 && usage.count() > limits.count()
                || limits.bytes() >= 0 && usage.bytes() > limits.bytes()) {
            LOG.warn("Quota exceeded: {} has count={} bytes={}, soft limits count={} bytes={}", subtree,
                    usage.count(), usage.bytes(), limits.count(), limits.bytes());
        }
    }

    private Quotas.Usage computeUsage(String subtree) {
        String prefix = ROOT.equals(subtree) ? ROOT : subtree + "/";
        long count = 0;
        long bytes = 0;
        for (String p : nodes.keySet()) {
            if ((p.equals(subtree) || p.startsWith(prefix)) && !Quotas.isQuotaPath(p) && !ZOOKEEPER.equals(p)) {
                synchronized (lockFor(p)) {
                    DataNode n = nodes.get(p);
                    if (n != null) {
                        count++;
                        bytes += n.data == null ? 0 : n.data.length;
                    }
                }
            }
        }
        return new Quotas.Usage(count, bytes);
    }

    private void writeUsage(String subtree, Quotas.Usage usage) {
        String statsPath = Quotas.statsPath(subtree);
        synchronized (lockFor(statsPath)) {
            DataNode stats = nodes.get(statsPath);
            if (stats != null) {
                setUsageData(statsPath, stats, usage);
            }
        }
    }

    /** Usage is kept in the stats node's data without a txn, as ZooKeeper does: it is derived state. */
    private void setUsageData(String statsPath, DataNode stats, Quotas.Usage usage) {
        byte[] b = usage.format().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        approximateDataBytes.addAndGet(b.length - (stats.data == null ? 0 : stats.data.length));
        long before = hashOf(statsPath, stats);
        stats.data = b;
        digest.addAndGet(hashOf(statsPath, stats) - before);
    }

    /** Rebuilds the quota limits after a snapshot restore (usage is in the stats nodes already). */
    public void rebuildQuotas() {
        for (String p : nodes.keySet()) {
            if (Quotas.isQuotaPath(p) && Quotas.LIMITS_NODE.equals(PathRules.nameOf(p))) {
                String subtree = Quotas.subtreeOf(p);
                synchronized (lockFor(p)) {
                    DataNode n = nodes.get(p);
                    if (n != null && subtree != null) {
                        quotas.set(subtree, Quotas.parseLimits(n.data));
                    }
                }
            }
        }
    }

    /**
     * Drops every node and index and puts back the built-in nodes as a new tree has them, before a snapshot is
     * restored over a tree that already holds state (a learner that is sent a SNAP). Registered watches are kept:
     * their connections were closed when the server stopped serving.
     */
    public void clear() {
        nodes.clear();
        ephemeralsBySession.clear();
        reapable.clear();
        aclCache.clear();
        quotas.clear();
        approximateDataBytes.set(0);
        digest.set(0);
        fuzzyHorizon = 0;
        changeZxid = 0;
        fuzzyEphemerals.clear();
        addBuiltIns();
    }

    /** Sets the end of the window in which replayed txns may already be in the restored snapshot. */
    public void fuzzyHorizon(long zxid) {
        fuzzyHorizon = zxid;
    }

    /** The end of the fuzzy window ({@link #fuzzyHorizon(long)}). */
    public long fuzzyHorizon() {
        return fuzzyHorizon;
    }

    /**
     * The zxid of the latest change started on the tree: read after a snapshot walk, it bounds every txn the walk may
     * have seen in part.
     */
    public long changeZxid() {
        return changeZxid;
    }

    /** Records that a restored snapshot listed {@code path} as an ephemeral of {@code owner} (restore only). */
    public void restoreFuzzyEphemeral(String path, long owner) {
        fuzzyEphemerals.put(path, owner);
    }

    /**
     * Deletes every ephemeral node of a closing session. Inside the fuzzy window it also settles the ephemerals the
     * restored snapshot listed for the session that are no longer in the tree: the close deleted them after the walk
     * wrote their parent, so that parent's pzxid must still move to {@code zxid}.
     */
    public void applyCloseSession(long sessionId, long zxid) {
        boolean tolerant = beginChange(zxid);
        for (String path : new java.util.TreeSet<>(ephemerals(sessionId))) {
            applyDelete(path, zxid);
        }
        if (!tolerant || fuzzyEphemerals.isEmpty()) {
            return;
        }
        List<String> ghosts = new ArrayList<>();
        for (Map.Entry<String, Long> e : fuzzyEphemerals.entrySet()) {
            if (e.getValue() == sessionId) {
                ghosts.add(e.getKey());
            }
        }
        for (String path : ghosts) {
            fuzzyEphemerals.remove(path);
            String parentPath = PathRules.parentOf(path);
            synchronized (lockFor(parentPath)) {
                synchronized (lockFor(path)) {
                    DataNode node = nodes.get(path);
                    DataNode parent = nodes.get(parentPath);
                    if (parent != null && (node == null || node.ephemeralOwner != sessionId || node.czxid > zxid)) {
                        touchParent(parentPath, parent, zxid);
                    }
                }
            }
        }
    }

    /**
     * Notes the zxid of a change about to be made and says whether it is inside the fuzzy window. Leaving the window
     * drops what only the replay needed.
     */
    private boolean beginChange(long zxid) {
        if (zxid > changeZxid) {
            changeZxid = zxid;
        }
        if (zxid <= fuzzyHorizon) {
            return true;
        }
        if (!fuzzyEphemerals.isEmpty()) {
            fuzzyEphemerals.clear();
        }
        return false;
    }

    /** Raises a parent's pzxid for a child change replayed in the fuzzy window; the caller holds the parent's lock. */
    private void touchParent(String parentPath, DataNode parent, long zxid) {
        if (parent.pzxid < zxid) {
            long before = hashOf(parentPath, parent);
            parent.pzxid = zxid;
            digest.addAndGet(hashOf(parentPath, parent) - before);
        }
    }

    /** Puts a node read from a snapshot back (restore only; no watches exist yet). */
    public void restoreNode(String path, byte[] data, List<Acl> acl, long czxid, long mzxid, long pzxid, long ctime,
            long mtime, int version, int createdChildren, int aversion, long ephemeralOwner) {
        DataNode node = nodes.get(path);
        if (node != null) {
            digest.addAndGet(-hashOf(path, node));
        }
        if (node == null) {
            node = new DataNode(data, intern(acl), czxid, ctime, ephemeralOwner);
            nodes.put(path, node);
            if (!ROOT.equals(path)) {
                DataNode parent = nodes.get(PathRules.parentOf(path));
                if (parent == null) {
                    throw new IllegalStateException("snapshot lists " + path + " before its parent");
                }
                parent.addChild(PathRules.nameOf(path));
            }
        }
        node.data = data;
        node.acl = intern(acl);
        node.czxid = czxid;
        node.mzxid = mzxid;
        node.pzxid = pzxid;
        node.ctime = ctime;
        node.mtime = mtime;
        node.version = version;
        node.createdChildren = createdChildren;
        node.aversion = aversion;
        node.ephemeralOwner = ephemeralOwner;
        if (EphemeralOwner.isSession(ephemeralOwner)) {
            ephemeralsBySession.computeIfAbsent(ephemeralOwner, k -> ConcurrentHashMap.newKeySet()).add(path);
        } else if (ephemeralOwner != EphemeralOwner.PERSISTENT) {
            reapable.add(path);
        }
        approximateDataBytes.addAndGet(path.length() + (data == null ? 0 : data.length));
        digest.addAndGet(hashOf(path, node));
    }

    public long digest() {
        return digest.get();
    }

    /** A node's share of the digest; the caller holds the node's lock (or is the only thread, in restore). */
    private static long hashOf(String path, DataNode n) {
        CRC32C crc = new CRC32C();
        crc.update(path.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (n.data != null && !CONFIG.equals(path)) {
            crc.update(n.data);
        }
        long h = crc.getValue();
        h = mix(h ^ n.czxid);
        h = mix(h ^ n.mzxid);
        h = mix(h ^ n.pzxid);
        h = mix(h ^ n.ctime);
        h = mix(h ^ n.mtime);
        h = mix(h ^ ((long) n.version << 32 | (n.aversion & 0xFFFF_FFFFL)));
        h = mix(h ^ n.createdChildren);
        h = mix(h ^ n.ephemeralOwner);
        return mix(h ^ n.acl.hashCode());
    }

    /** The 64-bit finaliser of MurmurHash3: every input bit affects every output bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /** Paths in parent-before-child order (depth-first from the root), for snapshots. */
    public List<String> pathsParentFirst() {
        List<String> out = new ArrayList<>(nodes.size());
        List<String> stack = new ArrayList<>();
        stack.add(ROOT);
        while (!stack.isEmpty()) {
            String p = stack.remove(stack.size() - 1);
            List<String> kids;
            synchronized (lockFor(p)) {
                DataNode n = nodes.get(p);
                if (n == null) {
                    continue;
                }
                out.add(p);
                kids = n.childNames();
            }
            for (String k : kids) {
                stack.add(PathRules.childPath(p, k));
            }
        }
        return out;
    }
}
