package io.paddock.server;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Perms;
import io.paddock.api.Stat;
import io.paddock.api.auth.AuthScheme;
import io.paddock.protocol.AddWatchRequest;
import io.paddock.protocol.CheckWatchesRequest;
import io.paddock.protocol.ClientInfo;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.ErrorResponse;
import io.paddock.protocol.EventType;
import io.paddock.protocol.ExistsRequest;
import io.paddock.protocol.ExistsResponse;
import io.paddock.protocol.GetACLRequest;
import io.paddock.protocol.GetACLResponse;
import io.paddock.protocol.GetAllChildrenNumberRequest;
import io.paddock.protocol.GetAllChildrenNumberResponse;
import io.paddock.protocol.GetChildren2Request;
import io.paddock.protocol.GetChildren2Response;
import io.paddock.protocol.GetChildrenRequest;
import io.paddock.protocol.GetChildrenResponse;
import io.paddock.protocol.GetDataRequest;
import io.paddock.protocol.GetDataResponse;
import io.paddock.protocol.GetEphemeralsRequest;
import io.paddock.protocol.GetEphemeralsResponse;
import io.paddock.protocol.JuteRecord;
import io.paddock.protocol.MultiOp;
import io.paddock.protocol.MultiRequest;
import io.paddock.protocol.MultiResponse;
import io.paddock.protocol.MultiResult;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.RemoveWatchesRequest;
import io.paddock.protocol.SetWatches;
import io.paddock.protocol.SetWatches2;
import io.paddock.protocol.WatcherEvent;
import io.paddock.protocol.WatcherType;
import io.paddock.protocol.WhoAmIResponse;
import io.paddock.protocol.Xids;
import io.paddock.server.pipeline.AclChecker;
import io.paddock.server.pipeline.ClientConnection;
import io.paddock.server.pipeline.KeeperError;
import io.paddock.server.pipeline.Replies;
import io.paddock.server.tree.DataNode;
import io.paddock.server.tree.DataTree;
import io.paddock.server.watch.WatchManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side of the request path: every op that looks at the tree without changing it, run on the calling thread
 * (a transport thread, or the thread that completed the session's previous write). Each read holds the tree lock of
 * the one path it reads while it copies the node and registers a watch, so it is atomic with respect to a change.
 */
final class Reads {
    private final DataTree tree;
    private final WatchManager watches;
    private final AclChecker acls;

    Reads(DataTree tree, WatchManager watches, AclChecker acls) {
        this.tree = tree;
        this.watches = watches;
        this.acls = acls;
    }

    JuteRecord read(ClientConnection c, int op, Object record, List<Id> ids) throws KeeperError {
        switch (op) {
            case OpCode.EXISTS: {
                ExistsRequest q = (ExistsRequest) record;
                String path = q.path();
                if (path == null || path.indexOf('\0') >= 0) {
                    throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
                }
                synchronized (tree.lockFor(path)) {
                    DataNode n = tree.node(path);
                    if (n == null) {
                        if (q.watch()) {
                            watches.addDataWatch(path, c);
                        }
                        throw new KeeperError(ErrorCode.NO_NODE);
                    }
                    acls.check(n.acl(), ids, Perms.READ);
                    if (q.watch()) {
                        watches.addDataWatch(path, c);
                    }
                    return new ExistsResponse(n.stat());
                }
            }
            case OpCode.GET_DATA: {
                GetDataRequest q = (GetDataRequest) record;
                return readNode(c, q.path(), ids, q.watch(), false, n -> new GetDataResponse(n.data(), n.stat()));
            }
            case OpCode.GET_CHILDREN: {
                GetChildrenRequest q = (GetChildrenRequest) record;
                return readNode(c, q.path(), ids, q.watch(), true, n -> new GetChildrenResponse(n.childNames()));
            }
            case OpCode.GET_CHILDREN2: {
                GetChildren2Request q = (GetChildren2Request) record;
                return readNode(c, q.path(), ids, q.watch(), true,
                        n -> new GetChildren2Response(n.childNames(), n.stat()));
            }
            case OpCode.GET_ACL: {
                String path = nonNull(((GetACLRequest) record).path());
                List<Acl> acl;
                Stat stat;
                synchronized (tree.lockFor(path)) {
                    DataNode n = existing(path);
                    acl = n.acl();
                    stat = n.stat();
                }
                boolean admin = acls.allowed(acl, ids, Perms.ADMIN);
                if (!admin && !acls.allowed(acl, ids, Perms.READ)) {
                    throw new KeeperError(ErrorCode.NO_AUTH);
                }
                return new GetACLResponse(admin ? acl : maskDigests(acl), stat);
            }
            case OpCode.GET_ALL_CHILDREN_NUMBER: {
                String path = nonNull(((GetAllChildrenNumberRequest) record).path());
                synchronized (tree.lockFor(path)) {
                    acls.check(existing(path).acl(), ids, Perms.READ);
                }
                return new GetAllChildrenNumberResponse(tree.descendantCount(path));
            }
            case OpCode.GET_EPHEMERALS: {
                String prefix = ((GetEphemeralsRequest) record).prefixPath();
                boolean all = prefix == null || prefix.isEmpty() || "/".equals(prefix);
                List<String> out = new ArrayList<>();
                for (String p : tree.ephemerals(c.sessionId())) {
                    if (all || p.startsWith(prefix)) {
                        out.add(p);
                    }
                }
                return new GetEphemeralsResponse(out);
            }
            case OpCode.WHO_AM_I: {
                List<ClientInfo> infos = new ArrayList<>();
                for (Id id : c.authIds()) {
                    AuthScheme scheme = acls.scheme(id.scheme());
                    infos.add(new ClientInfo(id.scheme(), scheme == null ? id.id() : scheme.userName(id.id())));
                }
                return new WhoAmIResponse(infos);
            }
            case OpCode.MULTI_READ:
                return multiRead(c, (MultiRequest) record, ids);
            case OpCode.CHECK_WATCHES: {
                CheckWatchesRequest q = (CheckWatchesRequest) record;
                if (q.path() == null || !watches.contains(q.path(), c, q.type())) {
                    throw new KeeperError(ErrorCode.NO_WATCHER);
                }
                return null;
            }
            case OpCode.REMOVE_WATCHES: {
                RemoveWatchesRequest q = (RemoveWatchesRequest) record;
                if (q.path() == null || !watches.remove(q.path(), c, q.type())) {
                    throw new KeeperError(ErrorCode.NO_WATCHER);
                }
                return null;
            }
            case OpCode.ADD_WATCH: {
                AddWatchRequest q = (AddWatchRequest) record;
                String path = nonNull(q.path());
                if (q.mode() != WatcherType.ADD_WATCH_MODE_PERSISTENT
                        && q.mode() != WatcherType.ADD_WATCH_MODE_PERSISTENT_RECURSIVE) {
                    throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
                }
                synchronized (tree.lockFor(path)) {
                    watches.addPersistentWatch(path, c,
                            q.mode() == WatcherType.ADD_WATCH_MODE_PERSISTENT_RECURSIVE);
                }
                return new ErrorResponse(0);
            }
            case OpCode.SET_WATCHES: {
                SetWatches q = (SetWatches) record;
                setWatches(c, q.relativeZxid(), q.dataWatches(), q.existWatches(), q.childWatches(), null, null);
                return null;
            }
            case OpCode.SET_WATCHES2: {
                SetWatches2 q = (SetWatches2) record;
                setWatches(c, q.relativeZxid(), q.dataWatches(), q.existWatches(), q.childWatches(),
                        q.persistentWatches(), q.persistentRecursiveWatches());
                return null;
            }
            default:
                throw new KeeperError(ErrorCode.UNIMPLEMENTED);
        }
    }

    /**
     * The shape of getData and getChildren(2): under the path's lock, the node must exist (-101, no watch) and be
     * readable (-102, no watch); then the watch is registered and the reply built from the same consistent node.
     */
    private JuteRecord readNode(ClientConnection c, String rawPath, List<Id> ids, boolean watch, boolean childWatch,
            java.util.function.Function<DataNode, JuteRecord> reply) throws KeeperError {
        String path = nonNull(rawPath);
        synchronized (tree.lockFor(path)) {
            DataNode n = existing(path);
            acls.check(n.acl(), ids, Perms.READ);
            if (watch) {
                if (childWatch) {
                    watches.addChildWatch(path, c);
                } else {
                    watches.addDataWatch(path, c);
                }
            }
            return reply.apply(n);
        }
    }

    private static String nonNull(String path) throws KeeperError {
        if (path == null) {
            throw new KeeperError(ErrorCode.BAD_ARGUMENTS);
        }
        return path;
    }

    private DataNode existing(String path) throws KeeperError {
        DataNode n = tree.node(path);
        if (n == null) {
            throw new KeeperError(ErrorCode.NO_NODE);
        }
        return n;
    }

    /** Without ADMIN, digest ids are shown as {@code user:x} (WIRE-PROTOCOL.md §8.1). */
    private static List<Acl> maskDigests(List<Acl> acl) {
        List<Acl> out = new ArrayList<>(acl.size());
        for (Acl a : acl) {
            Id id = a.id();
            if ("digest".equals(id.scheme())) {
                int colon = id.id().indexOf(':');
                String user = colon < 0 ? id.id() : id.id().substring(0, colon);
                out.add(new Acl(a.perms(), new Id("digest", user + ":x")));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    private MultiResponse multiRead(ClientConnection c, MultiRequest m, List<Id> ids) {
        List<MultiResult> results = new ArrayList<>(m.ops().size());
        for (MultiOp op : m.ops()) {
            try {
                if (op.type() == OpCode.GET_DATA) {
                    GetDataRequest q = (GetDataRequest) op.request();
                    results.add(new MultiResult(OpCode.GET_DATA, 0,
                            read(c, OpCode.GET_DATA, new GetDataRequest(q.path(), false), ids)));
                } else {
                    GetChildrenRequest q = (GetChildrenRequest) op.request();
                    results.add(new MultiResult(OpCode.GET_CHILDREN, 0,
                            read(c, OpCode.GET_CHILDREN, new GetChildrenRequest(q.path(), false), ids)));
                }
            } catch (KeeperError e) {
                results.add(new MultiResult(OpCode.ERROR, e.code(), new ErrorResponse(e.code())));
            }
        }
        return new MultiResponse(results);
    }

    /** Re-arms watches after a reconnect, or fires what the client missed (WIRE-PROTOCOL.md §7.6). */
    void setWatches(ClientConnection c, long relativeZxid, List<String> data, List<String> exist,
            List<String> child, List<String> persistent, List<String> recursive) {
        if (data != null) {
            for (String path : data) {
                synchronized (tree.lockFor(path)) {
                    DataNode n = tree.node(path);
                    if (n == null) {
                        catchUp(c, EventType.NODE_DELETED, path);
                    } else if (n.mzxid() > relativeZxid) {
                        catchUp(c, EventType.NODE_DATA_CHANGED, path);
                    } else {
                        watches.addDataWatch(path, c);
                    }
                }
            }
        }
        if (exist != null) {
            for (String path : exist) {
                synchronized (tree.lockFor(path)) {
                    if (tree.node(path) != null) {
                        catchUp(c, EventType.NODE_CREATED, path);
                    } else {
                        watches.addDataWatch(path, c);
                    }
                }
            }
        }
        if (child != null) {
            for (String path : child) {
                synchronized (tree.lockFor(path)) {
                    DataNode n = tree.node(path);
                    if (n == null) {
                        catchUp(c, EventType.NODE_DELETED, path);
                    } else if (n.pzxid() > relativeZxid) {
                        catchUp(c, EventType.NODE_CHILDREN_CHANGED, path);
                    } else {
                        watches.addChildWatch(path, c);
                    }
                }
            }
        }
        if (persistent != null) {
            for (String path : persistent) {
                synchronized (tree.lockFor(path)) {
                    watches.addPersistentWatch(path, c, false);
                }
            }
        }
        if (recursive != null) {
            for (String path : recursive) {
                synchronized (tree.lockFor(path)) {
                    watches.addPersistentWatch(path, c, true);
                }
            }
        }
    }

    private void catchUp(ClientConnection c, int type, String path) {
        c.deliver(new io.paddock.server.watch.WatchEvent(type, path, -1L, ev -> Replies.of(Xids.NOTIFICATION, -1L,
                new WatcherEvent(type, EventType.STATE_SYNC_CONNECTED, path))));
    }

}
