package io.paddock.server.watch;

import io.paddock.api.Acl;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The two watch tables of WIRE-PROTOCOL.md §7.4: data watches and child watches, each path -> watcher -> mode.
 * Registration for a path and triggering for that path are serialised by the caller (the data tree's lock for the
 * path), which is what makes "read the node, then register the watch" atomic with respect to a change.
 */
public final class WatchManager {
    private final Map<String, Map<Watcher, WatchMode>> dataWatches = new ConcurrentHashMap<>();
    private final Map<String, Map<Watcher, WatchMode>> childWatches = new ConcurrentHashMap<>();
    /** Recursive watches are rare; when there are none, triggering skips the walk over ancestors. */
    private final AtomicInteger recursiveCount = new AtomicInteger();
    private final Function<WatchEvent, ByteBuffer> encoder;

    public WatchManager(Function<WatchEvent, ByteBuffer> encoder) {
        this.encoder = encoder;
    }

    public void addDataWatch(String path, Watcher w) {
        add(dataWatches, path, w, WatchMode.STANDARD);
    }

    public void addChildWatch(String path, Watcher w) {
        add(childWatches, path, w, WatchMode.STANDARD);
    }

    /** addWatch: PERSISTENT goes in both tables, PERSISTENT_RECURSIVE in the data table only. */
    public void addPersistentWatch(String path, Watcher w, boolean recursive) {
        if (recursive) {
            add(dataWatches, path, w, WatchMode.PERSISTENT_RECURSIVE);
        } else {
            add(dataWatches, path, w, WatchMode.PERSISTENT);
            add(childWatches, path, w, WatchMode.PERSISTENT);
        }
    }

    private void add(Map<String, Map<Watcher, WatchMode>> table, String path, Watcher w, WatchMode mode) {
        addEntry(table, path, w, mode);
        // A read racing with its connection's close may register after removeWatcher swept the tables. The close
        // marks the watcher dead before the sweep, so checking after adding catches every such late entry.
        if (!w.isAlive()) {
            removeFrom(table, path, w);
        }
    }

    private void removeFrom(Map<String, Map<Watcher, WatchMode>> table, String path, Watcher w) {
        table.computeIfPresent(path, (p, m) -> {
            WatchMode had = m.remove(w);
            if (had == WatchMode.PERSISTENT_RECURSIVE) {
                recursiveCount.decrementAndGet();
            }
            return m.isEmpty() ? null : m;
        });
    }

    private void addEntry(Map<String, Map<Watcher, WatchMode>> table, String path, Watcher w, WatchMode mode) {
        table.compute(path, (p, m) -> {
            if (m == null) {
                m = new ConcurrentHashMap<>(2);
            }
            WatchMode old = m.get(w);
            // A persistent watch is not downgraded by a later one-shot registration on the same path.
            if (old == null || old == WatchMode.STANDARD) {
                m.put(w, mode);
                if (mode == WatchMode.PERSISTENT_RECURSIVE) {
                    recursiveCount.incrementAndGet();
                }
            } else if (mode == WatchMode.PERSISTENT_RECURSIVE && old == WatchMode.PERSISTENT) {
                m.put(w, mode);
                recursiveCount.incrementAndGet();
            }
            return m;
        });
    }

    /**
     * Fires data-table watches for an event on {@code path}: watchers of the path itself plus recursive watchers of
     * it and its ancestors. Returns the watchers notified, so a delete can skip them in the child table.
     */
    public Set<Watcher> triggerData(String path, int type, long zxid, List<Acl> acl) {
        WatchEvent event = new WatchEvent(type, path, zxid, encoder);
        Set<Watcher> notified = new HashSet<>();
        Map<Watcher, WatchMode> own = dataWatches.get(path);
        if (own != null) {
            List<Watcher> fired = new ArrayList<>(own.size());
            for (Map.Entry<Watcher, WatchMode> e : own.entrySet()) {
                fired.add(e.getKey());
                if (e.getValue() == WatchMode.STANDARD) {
                    own.remove(e.getKey(), WatchMode.STANDARD);
                }
            }
            dropIfEmpty(dataWatches, path);
            for (Watcher w : fired) {
                deliverOnce(w, event, acl, notified);
            }
        }
        if (recursiveCount.get() > 0) {
            String p = path;
            while (p.length() > 1) {
                int slash = p.lastIndexOf('/');
                p = slash == 0 ? "/" : p.substring(0, slash);
                Map<Watcher, WatchMode> m = dataWatches.get(p);
                if (m != null) {
                    for (Map.Entry<Watcher, WatchMode> e : m.entrySet()) {
                        if (e.getValue() == WatchMode.PERSISTENT_RECURSIVE) {
                            deliverOnce(e.getKey(), event, acl, notified);
                        }
                    }
                }
            }
        }
        return notified;
    }

    /** Fires child-table watches of {@code path}, skipping watchers in {@code skip}. */
    public void triggerChild(String path, int type, long zxid, List<Acl> acl, Set<Watcher> skip) {
        Map<Watcher, WatchMode> own = childWatches.get(path);
        if (own == null) {
            return;
        }
        WatchEvent event = new WatchEvent(type, path, zxid, encoder);
        List<Watcher> fired = new ArrayList<>(own.size());
        for (Map.Entry<Watcher, WatchMode> e : own.entrySet()) {
            if (skip != null && skip.contains(e.getKey())) {
                // Already told about this delete through the data table; a one-shot child watch is still used up.
                if (e.getValue() == WatchMode.STANDARD) {
                    own.remove(e.getKey(), WatchMode.STANDARD);
                }
                continue;
            }
            fired.add(e.getKey());
            if (e.getValue() == WatchMode.STANDARD) {
                own.remove(e.getKey(), WatchMode.STANDARD);
            }
        }
        dropIfEmpty(childWatches, path);
        Set<Watcher> notified = new HashSet<>();
        for (Watcher w : fired) {
            deliverOnce(w, event, acl, notified);
        }
    }

    private static void deliverOnce(Watcher w, WatchEvent event, List<Acl> acl, Set<Watcher> notified) {
        if (notified.add(w) && w.mayRead(acl)) {
            w.deliver(event);
        }
    }

    private static void dropIfEmpty(Map<String, Map<Watcher, WatchMode>> table, String path) {
        table.computeIfPresent(path, (p, m) -> m.isEmpty() ? null : m);
    }

    /** Whether {@code w} has a watch of {@code watcherType} (WIRE-PROTOCOL.md §7.3) on {@code path}. */
    public boolean contains(String path, Watcher w, int watcherType) {
        return matching(path, w, watcherType, false);
    }

    /** Removes {@code w}'s watches of {@code watcherType} on {@code path}; false if there were none. */
    public boolean remove(String path, Watcher w, int watcherType) {
        return matching(path, w, watcherType, true);
    }

    private boolean matching(String path, Watcher w, int watcherType, boolean remove) {
        boolean found = false;
        switch (watcherType) {
            case 1: // children: one-shot child watch
                found = match(childWatches, path, w, WatchMode.STANDARD, remove);
                break;
            case 2: // data: one-shot data or exist watch
                found = match(dataWatches, path, w, WatchMode.STANDARD, remove);
                break;
            case 3: // any
                found |= match(childWatches, path, w, null, remove);
                found |= match(dataWatches, path, w, null, remove);
                break;
            case 4: // persistent
                boolean d = match(dataWatches, path, w, WatchMode.PERSISTENT, remove);
                boolean c = match(childWatches, path, w, WatchMode.PERSISTENT, remove);
                found = d || c;
                break;
            case 5: // persistent recursive
                found = match(dataWatches, path, w, WatchMode.PERSISTENT_RECURSIVE, remove);
                break;
            default:
                return false;
        }
        return found;
    }

    private boolean match(Map<String, Map<Watcher, WatchMode>> table, String path, Watcher w, WatchMode mode,
            boolean remove) {
        boolean[] found = new boolean[1];
        table.computeIfPresent(path, (p, m) -> {
            WatchMode have = m.get(w);
            if (have != null && (mode == null || have == mode)) {
                found[0] = true;
                if (remove) {
                    m.remove(w);
                    if (have == WatchMode.PERSISTENT_RECURSIVE) {
                        recursiveCount.decrementAndGet();
                    }
                }
            }
            return m.isEmpty() ? null : m;
        });
        return found[0];
    }

    /** Drops every watch of a closed connection, given the paths it may hold watches on. */
    public void removeWatcher(Watcher w) {
        removeFrom(dataWatches, w);
        removeFrom(childWatches, w);
    }

    private void removeFrom(Map<String, Map<Watcher, WatchMode>> table, Watcher w) {
        // A full scan: connection close is rare next to reads, and keeping a per-connection index would cost memory on
        // every registration. Revisit if profiles show it.
        for (String path : table.keySet()) {
            removeFrom(table, path, w);
        }
    }

    /** Number of (path, watcher) pairs in the data table, as {@code wchs} and mntr report. */
    public int dataWatchCount() {
        int n = 0;
        for (Map<Watcher, WatchMode> m : dataWatches.values()) {
            n += m.size();
        }
        return n;
    }

    public int watchedPathCount() {
        return dataWatches.size();
    }

    public int totalWatchCount() {
        int n = dataWatchCount();
        for (Map<Watcher, WatchMode> m : childWatches.values()) {
            n += m.size();
        }
        return n;
    }

    /** Paths watched by {@code w}, for {@code wchc}. */
    public List<String> pathsOf(Watcher w) {
        Set<String> out = new HashSet<>();
        dataWatches.forEach((p, m) -> {
            if (m.containsKey(w)) {
                out.add(p);
            }
        });
        childWatches.forEach((p, m) -> {
            if (m.containsKey(w)) {
                out.add(p);
            }
        });
        return new ArrayList<>(out);
    }
}
