package io.paddock.server.pipeline;

import io.paddock.api.Acl;
import io.paddock.server.tree.DataNode;
import java.util.List;

/**
 * What prepare knows about a node: the applied tree plus every change prepared but not yet applied. Only the fields
 * that validation needs. Mutable, owned by the prepare thread.
 */
final class NodeView {
    static final NodeView MISSING = new NodeView(false, null, 0, 0, 0, 0, 0, 0);

    boolean exists;
    List<Acl> acl;
    int version;
    int aversion;
    int createdChildren;
    int numChildren;
    long ephemeralOwner;
    int dataLength;
    /** zxid of the prepared change this view reflects; 0 for a view read from the tree. */
    long zxid;

    NodeView(boolean exists, List<Acl> acl, int version, int aversion, int createdChildren, int numChildren,
            long ephemeralOwner, int dataLength) {
        this.exists = exists;
        this.acl = acl;
        this.version = version;
        this.aversion = aversion;
        this.createdChildren = createdChildren;
        this.numChildren = numChildren;
        this.ephemeralOwner = ephemeralOwner;
        this.dataLength = dataLength;
    }

    static NodeView of(DataNode n) {
        return n == null ? MISSING
                : new NodeView(true, n.acl(), n.version(), n.aversion(), n.createdChildren(), n.numChildren(),
                        n.ephemeralOwner(), n.data() == null ? 0 : n.data().length);
    }

    NodeView copy() {
        NodeView v = new NodeView(exists, acl, version, aversion, createdChildren, numChildren, ephemeralOwner,
                dataLength);
        v.zxid = zxid;
        return v;
    }
}
