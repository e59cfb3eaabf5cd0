package io.paddock.protocol;

import java.util.Objects;

/**
 * One operation inside a {@link MultiRequest}: the sub-op opcode and its request record (§5.10). The constructor
 * rejects a record that does not belong to the opcode, so a MultiOp always encodes to something a server decodes.
 */
public record MultiOp(int type, JuteRecord request) {
    public MultiOp {
        Objects.requireNonNull(request, "request");
        if (!carries(type, request)) {
            throw new IllegalArgumentException(
                    "multi sub-op " + OpCode.name(type) + " cannot carry a " + request.getClass().getSimpleName());
        }
    }

    private static boolean carries(int type, JuteRecord request) {
        switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER:
                return request instanceof CreateRequest;
            case OpCode.CREATE_TTL:
                return request instanceof CreateTTLRequest;
            case OpCode.DELETE:
                return request instanceof DeleteRequest;
            case OpCode.SET_DATA:
                return request instanceof SetDataRequest;
            case OpCode.CHECK:
                return request instanceof CheckVersionRequest;
            case OpCode.GET_DATA:
                return request instanceof GetDataRequest;
            case OpCode.GET_CHILDREN:
                return request instanceof GetChildrenRequest;
            default:
                return false;
        }
    }

    /** Decodes the record that follows a sub-op header of this {@code type}; any other type is malformed. */
    static MultiOp read(int type, JuteInput in) {
        JuteRecord request;
        switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER:
                request = CreateRequest.read(in);
                break;
            case OpCode.CREATE_TTL:
                request = CreateTTLRequest.read(in);
                break;
            case OpCode.DELETE:
                request = DeleteRequest.read(in);
                break;
            case OpCode.SET_DATA:
                request = SetDataRequest.read(in);
                break;
            case OpCode.CHECK:
                request = CheckVersionRequest.read(in);
                break;
            case OpCode.GET_DATA:
                request = GetDataRequest.read(in);
                break;
            case OpCode.GET_CHILDREN:
                request = GetChildrenRequest.read(in);
                break;
            default:
                throw new MalformedRecordException("sub-op type " + type + " is not allowed in a multi");
        }
        return new MultiOp(type, request);
    }

    /** Allowed in multi (14): creates of every kind, delete, setData, check. */
    public boolean isWrite() {
        return type != OpCode.GET_DATA && type != OpCode.GET_CHILDREN;
    }

    /** Allowed in multiRead (22): getData and getChildren. */
    public boolean isRead() {
        return !isWrite();
    }

    /** The znode path the sub-op addresses. */
    public String path() {
        if (request instanceof CreateRequest r) {
            return r.path();
        } else if (request instanceof CreateTTLRequest r) {
            return r.path();
        } else if (request instanceof DeleteRequest r) {
            return r.path();
        } else if (request instanceof SetDataRequest r) {
            return r.path();
        } else if (request instanceof CheckVersionRequest r) {
            return r.path();
        } else if (request instanceof GetDataRequest r) {
            return r.path();
        } else {
            return ((GetChildrenRequest) request).path();
        }
    }
}
