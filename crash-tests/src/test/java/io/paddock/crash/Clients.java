package io.paddock.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/** The official client, connected to chosen members, and reads of what a member holds. */
final class Clients {
    static final int SESSION_TIMEOUT_MS = 30_000;
    private static final long READ_TIMEOUT_MS = 30_000;

    private Clients() {}

    /** A client of the members in {@code connectString}, connected (or an AssertionError after the deadline). */
    static ZooKeeper connect(String connectString, long timeoutMs) throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            zk.close();
            throw new AssertionError("no connection to " + connectString + " within " + timeoutMs + " ms");
        }
        return zk;
    }

    /** {@code sync(path)}: the member this client is connected to has applied every write committed before. */
    static void sync(ZooKeeper zk, String path) throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        zk.sync(path, (rc, p, ctx) -> done.complete(rc), null);
        int rc = done.get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (rc != KeeperException.Code.OK.intValue()) {
            throw KeeperException.create(KeeperException.Code.get(rc), path);
        }
    }

    /** Children of {@code path}, or an empty list if it does not exist. */
    static List<String> children(ZooKeeper zk, String path) throws Exception {
        try {
            return zk.getChildren(path, false);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /** getData of every path, pipelined; a path that is gone maps to null. */
    static Map<String, byte[]> readAll(ZooKeeper zk, List<String> paths) throws Exception {
        Map<String, CompletableFuture<byte[]>> pending = new HashMap<>();
        for (String p : paths) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            pending.put(p, f);
            zk.getData(p, false, (rc, path, ctx, bytes, stat) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    f.complete(bytes);
                } else if (rc == KeeperException.Code.NONODE.intValue()) {
                    f.complete(null);
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

    /**
     * Every znode under {@code root} (depth first, {@code /zookeeper} excluded) as path -> "data | version | cversion
     * | aversion | czxid | mzxid | ephemeralOwner": what two members that have applied the same txns must agree on.
     */
    static Map<String, String> tree(ZooKeeper zk, String root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        List<String> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            String path = todo.remove(todo.size() - 1);
            if (path.equals("/zookeeper")) {
                continue;
            }
            Stat stat = new Stat();
            byte[] data;
            List<String> kids;
            try {
                data = zk.getData(path, false, stat);
                kids = zk.getChildren(path, false);
            } catch (KeeperException.NoNodeException e) {
                continue;
            }
            out.put(path, (data == null ? "<null>" : new String(data, StandardCharsets.ISO_8859_1)) + " | v"
                    + stat.getVersion() + " | cv" + stat.getCversion() + " | av" + stat.getAversion() + " | c0x"
                    + Long.toHexString(stat.getCzxid()) + " | m0x" + Long.toHexString(stat.getMzxid()) + " | o0x"
                    + Long.toHexString(stat.getEphemeralOwner()));
            for (String k : kids) {
                todo.add(path.equals("/") ? "/" + k : path + "/" + k);
            }
        }
        return out;
    }
}
