package io.paddock.server.inspect;

import io.paddock.api.Acl;
import java.util.List;

/**
 * A znode as a snapshot holds it. {@code createdChildren} is what the snapshot stores: the children ever created under
 * the node (the sequential-name counter); the client-visible {@code cversion} and {@code numChildren} follow from it
 * and the children present once the whole tree is read.
 *
 * @param ephemeralOwner the internal encoding: 0 persistent, a session id for ephemerals, or the container/TTL markers
 */
public record SnapshotNode(String path, byte[] data, List<Acl> acl, long czxid, long mzxid, long pzxid, long ctime,
        long mtime, int version, int createdChildren, int aversion, long ephemeralOwner) {

    public int dataLength() {
        return data == null ? 0 : data.length;
    }

    /**
     * {@code /a czxid=0x2 mzxid=0x5 pzxid=0x2 ctime=... mtime=... version=3 aversion=0 createdChildren=0 owner=0
     * dataLength=3 acl=world:anyone:cdrwa}; with {@code withData} the data follows as a quoted preview.
     */
    public String toLine(boolean withData) {
        StringBuilder sb = new StringBuilder(160).append(path)
                .append(" czxid=").append(Formats.hex(czxid))
                .append(" mzxid=").append(Formats.hex(mzxid))
                .append(" pzxid=").append(Formats.hex(pzxid))
                .append(" ctime=").append(Formats.time(ctime))
                .append(" mtime=").append(Formats.time(mtime))
                .append(" version=").append(version)
                .append(" aversion=").append(aversion)
                .append(" createdChildren=").append(createdChildren)
                .append(" owner=").append(Formats.owner(ephemeralOwner))
                .append(" dataLength=").append(dataLength())
                .append(" acl=").append(Formats.acl(acl));
        if (withData) {
            sb.append(' ').append(Formats.data(data, true));
        }
        return sb.toString();
    }
}
