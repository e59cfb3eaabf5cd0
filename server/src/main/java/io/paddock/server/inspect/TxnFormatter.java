package io.paddock.server.inspect;

import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import java.nio.ByteBuffer;

/**
 * One logged txn as one readable line, ZooKeeper's LogFormatter for Paddock's log:
 * <pre>
 * 0x1a2 session 0x100000a3c2e0001 cxid 5 2026-05-01T10:00:00.123Z create /a data=3 bytes acl=world:anyone:cdrwa owner=0
 * </pre>
 * The zxid, then the header (the session that sent it, its cxid, the leader's wall clock at prepare), then the change.
 * Session passwords are never printed; znode data only on request.
 */
public final class TxnFormatter {
    private TxnFormatter() {}

    /** The line for the txn logged at {@code zxid}, data shown as its length only. */
    public static String format(long zxid, ByteBuffer txn) {
        return format(zxid, txn, false);
    }

    /**
     * The line for the txn logged at {@code zxid}; {@code txn} is not consumed.
     *
     * @param withData also show a quoted preview of znode data
     * @throws IllegalArgumentException if the bytes are not a txn this server can decode (unknown format or tag,
     *                                  truncated, or bytes left over after the txn)
     */
    public static String format(long zxid, ByteBuffer txn, boolean withData) {
        ByteBuffer bytes = txn.duplicate();
        TxnCodec.Decoded decoded;
        try {
            decoded = TxnCodec.decode(bytes);
        } catch (RuntimeException e) {
            // MalformedRecordException from the jute reader, or anything a hostile length provokes
            throw new IllegalArgumentException("txn " + Formats.hex(zxid) + " does not decode: " + e.getMessage(), e);
        }
        if (bytes.hasRemaining()) {
            throw new IllegalArgumentException("txn " + Formats.hex(zxid) + " has " + bytes.remaining()
                    + " bytes after its end");
        }
        StringBuilder line = new StringBuilder(96);
        line.append(Formats.hex(zxid))
                .append(" session ").append(Formats.hex(decoded.header().sessionId()))
                .append(" cxid ").append(decoded.header().cxid())
                .append(' ').append(Formats.time(decoded.header().time()))
                .append(' ');
        describe(line, decoded.txn(), withData);
        return line.toString();
    }

    private static void describe(StringBuilder line, Txn txn, boolean withData) {
        if (txn instanceof Txn.CreateSession t) {
            line.append("createSession timeout=").append(t.timeoutMs()).append("ms");
        } else if (txn instanceof Txn.CloseSession) {
            line.append("closeSession");
        } else if (txn instanceof Txn.Create t) {
            line.append("create ").append(t.path()).append(' ').append(Formats.data(t.data(), withData))
                    .append(" acl=").append(Formats.acl(t.acl()))
                    .append(" owner=").append(Formats.owner(t.ephemeralOwner()))
                    .append(" parentCreatedChildren=").append(t.parentCreatedChildren());
        } else if (txn instanceof Txn.Delete t) {
            line.append("delete ").append(t.path());
        } else if (txn instanceof Txn.SetData t) {
            line.append("setData ").append(t.path()).append(' ').append(Formats.data(t.data(), withData))
                    .append(" version=").append(t.newVersion());
        } else if (txn instanceof Txn.SetAcl t) {
            line.append("setAcl ").append(t.path()).append(" acl=").append(Formats.acl(t.acl()))
                    .append(" aversion=").append(t.newAversion());
        } else if (txn instanceof Txn.Error t) {
            line.append("error ").append(t.code());
            if (!t.opErrors().isEmpty()) {
                line.append(" ops ").append(t.opErrors());
            }
        } else if (txn instanceof Txn.Multi t) {
            line.append("multi ").append(t.ops().size()).append(t.ops().size() == 1 ? " op [" : " ops [");
            for (int i = 0; i < t.ops().size(); i++) {
                if (i > 0) {
                    line.append("; ");
                }
                describe(line, t.ops().get(i), withData);
            }
            line.append(']');
        } else {
            // A txn type added to Txn without a line here: still print something a reader can act on.
            line.append(txn.getClass().getSimpleName());
        }
    }
}
