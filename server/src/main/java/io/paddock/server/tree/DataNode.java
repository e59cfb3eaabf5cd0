package io.paddock.server.tree;

import io.paddock.api.Acl;
import io.paddock.api.Stat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One znode. Mutated only by the apply thread and read by any thread, both while holding the tree's lock for this
 * node's path, so a reader always sees a consistent node. Fields are kept primitive and the child set is created on
 * the first child, to keep the heap per znode small.
 */
public final class DataNode {
    byte[] data;
    List<Acl> acl;
    long czxid;
    long mzxid;
    long pzxid;
    long ctime;
    long mtime;
    int version;
    /** Children ever created under this node: the sequence counter, never decremented. */
    int createdChildren;
    int aversion;
    long ephemeralOwner;
    private Set<String> children;

    DataNode(byte[] data, List<Acl> acl, long zxid, long time, long ephemeralOwner) {
        this.data = data;
        this.acl = acl;
        this.czxid = zxid;
        this.mzxid = zxid;
        this.pzxid = zxid;
        this.ctime = time;
        this.mtime = time;
        this.ephemeralOwner = ephemeralOwner;
    }

    void addChild(String name) {
        if (children == null) {
            children = new HashSet<>(4);
        }
        children.add(name);
    }

    boolean removeChild(String name) {
        return children != null && children.remove(name);
    }

    public int numChildren() {
        return children == null ? 0 : children.size();
    }

    public List<String> childNames() {
        return children == null ? List.of() : new ArrayList<>(children);
    }

    Set<String> childrenView() {
        return children == null ? Collections.emptySet() : children;
    }

    public byte[] data() {
        return data;
    }

    public List<Acl> acl() {
        return acl;
    }

    public long ephemeralOwner() {
        return ephemeralOwner;
    }

    public int version() {
        return version;
    }

    public int aversion() {
        return aversion;
    }

    public int createdChildren() {
        return createdChildren;
    }

    public long mzxid() {
        return mzxid;
    }

    public long mtime() {
        return mtime;
    }

    public long pzxid() {
        return pzxid;
    }

    /**
     * The client-visible Stat. cversion counts creates plus deletes of direct children, which is
     * {@code 2 * created - current} (this is also why a fresh root, whose built-in child was never "created", shows -1).
     */
    public Stat stat() {
        int n = numChildren();
        return new Stat(czxid, mzxid, ctime, mtime, version, 2 * createdChildren - n, aversion,
                EphemeralOwner.visible(ephemeralOwner), data == null ? 0 : data.length, n, pzxid);
    }
}
