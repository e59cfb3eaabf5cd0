package io.paddock.server.txn;

import io.paddock.protocol.JuteInput;
import io.paddock.protocol.JuteOutput;
import io.paddock.protocol.MalformedRecordException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The byte form of a txn: a format byte, the header, then a tag and the fields of the txn. */
public final class TxnCodec {
    private static final byte FORMAT = 1;
    private static final int CREATE_SESSION = 1;
    private static final int CLOSE_SESSION = 2;
    private static final int CREATE = 3;
    private static final int DELETE = 4;
    private static final int SET_DATA = 5;
    private static final int SET_ACL = 6;
    private static final int MULTI = 7;
    private static final int ERROR = 8;
    private static final int MULTI_OPS_MAX = 100_000;

    private TxnCodec() {}

    public static ByteBuffer encode(TxnHeader header, Txn txn) {
        JuteOutput out = JuteOutput.plain();
        out.writeByte(FORMAT);
        out.writeLong(header.sessionId());
        out.writeInt(header.cxid());
        out.writeLong(header.time());
        writeTxn(out, txn);
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static void writeTxn(JuteOutput out, Txn txn) {
        if (txn instanceof Txn.CreateSession t) {
            out.writeInt(CREATE_SESSION).writeInt(t.timeoutMs()).writeBuffer(t.password());
        } else if (txn instanceof Txn.CloseSession) {
            out.writeInt(CLOSE_SESSION);
        } else if (txn instanceof Txn.Create t) {
            out.writeInt(CREATE).writeString(t.path()).writeBuffer(t.data()).writeAclList(t.acl())
                    .writeLong(t.ephemeralOwner())
                    .writeInt(t.parentCreatedChildren());
        } else if (txn instanceof Txn.Delete t) {
            out.writeInt(DELETE).writeString(t.path());
        } else if (txn instanceof Txn.SetData t) {
            out.writeInt(SET_DATA).writeString(t.path()).writeBuffer(t.data()).writeInt(t.newVersion());
        } else if (txn instanceof Txn.SetAcl t) {
            out.writeInt(SET_ACL).writeString(t.path()).writeAclList(t.acl()).writeInt(t.newAversion());
        } else if (txn instanceof Txn.Error t) {
            out.writeInt(ERROR).writeInt(t.code()).writeInt(t.opErrors().size());
            for (int e : t.opErrors()) {
                out.writeInt(e);
            }
        } else if (txn instanceof Txn.Multi t) {
            out.writeInt(MULTI).writeInt(t.ops().size());
            for (Txn op : t.ops()) {
                writeTxn(out, op);
            }
        } else {
            throw new IllegalArgumentException("unknown txn " + txn);
        }
    }

    /** Decoded header and txn. */
    public record Decoded(TxnHeader header, Txn txn) {}

    public static Decoded decode(ByteBuffer bytes) {
        JuteInput in = new JuteInput(bytes);
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new MalformedRecordException("unknown txn format " + format);
        }
        TxnHeader header = new TxnHeader(in.readLong(), in.readInt(), in.readLong());
        return new Decoded(header, readTxn(in, 0));
    }

    private static Txn readTxn(JuteInput in, int depth) {
        int tag = in.readInt();
        switch (tag) {
            case CREATE_SESSION:
                return new Txn.CreateSession(in.readInt(), in.readBuffer());
            case CLOSE_SESSION:
                return new Txn.CloseSession();
            case CREATE:
                return new Txn.Create(in.readString(), in.readBuffer(), in.readAclList(), in.readLong(), in.readInt());
            case DELETE:
                return new Txn.Delete(in.readString());
            case SET_DATA:
                return new Txn.SetData(in.readString(), in.readBuffer(), in.readInt());
            case SET_ACL:
                return new Txn.SetAcl(in.readString(), in.readAclList(), in.readInt());
            case ERROR: {
                if (depth > 0) {
                    throw new MalformedRecordException("error txn inside a multi");
                }
                int code = in.readInt();
                int count = in.readInt();
                if (count < 0 || count > MULTI_OPS_MAX) {
                    throw new MalformedRecordException("error txn with " + count + " op results");
                }
                List<Integer> errors = new ArrayList<>(Math.min(count, 1024));
                for (int i = 0; i < count; i++) {
                    errors.add(in.readInt());
                }
                return new Txn.Error(code, errors);
            }
            case MULTI:
                if (depth > 0) {
                    throw new MalformedRecordException("nested multi txn");
                }
                int n = in.readInt();
                if (n < 0 || n > MULTI_OPS_MAX) {
                    throw new MalformedRecordException("multi txn with " + n + " ops");
                }
                List<Txn> ops = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ops.add(readTxn(in, depth + 1));
                }
                return new Txn.Multi(ops);
            default:
                throw new MalformedRecordException("unknown txn tag " + tag);
        }
    }
}
