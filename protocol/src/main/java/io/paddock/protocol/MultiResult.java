package io.paddock.protocol;

/**
 * One entry of a {@link MultiResponse} (§5.11). {@code type} mirrors the sub-op (1 create, 15 for create2,
 * createContainer and createTTL, 2 delete, 13 check, 5 setData, 4 getData, 8 getChildren) or is -1 for a failure;
 * {@code err} is 0 except for -1 results. {@code body} is null for 2 and 13 and an {@link ErrorResponse} for -1.
 * The constructor rejects a body that does not match the type, because kazoo silently misparses the rest of the
 * list after a result it does not expect.
 */
public record MultiResult(int type, int err, JuteRecord body) {
    public MultiResult {
        if (!carries(type, body)) {
            throw new IllegalArgumentException("multi result type " + type + " cannot carry "
                    + (body == null ? "no body" : "a " + body.getClass().getSimpleName()));
        }
    }

    /** A failed (or rolled-back, {@code err == 0}) entry: type -1 with the code in the header and in the body. */
    public static MultiResult error(int err) {
        return new MultiResult(OpCode.ERROR, err, new ErrorResponse(err));
    }

    private static boolean carries(int type, JuteRecord body) {
        switch (type) {
            case OpCode.CREATE:
                return body instanceof CreateResponse;
            case OpCode.CREATE2:
                return body instanceof Create2Response;
            case OpCode.DELETE, OpCode.CHECK:
                return body == null;
            case OpCode.SET_DATA:
                return body instanceof SetDataResponse;
            case OpCode.GET_DATA:
                return body instanceof GetDataResponse;
            case OpCode.GET_CHILDREN:
                return body instanceof GetChildrenResponse;
            case OpCode.ERROR:
                return body instanceof ErrorResponse;
            default:
                return false;
        }
    }

    /** Decodes the record that follows a result header; an unknown result type is malformed. */
    static MultiResult read(MultiHeader header, JuteInput in) {
        JuteRecord body;
        switch (header.type()) {
            case OpCode.CREATE:
                body = CreateResponse.read(in);
                break;
            case OpCode.CREATE2:
                body = Create2Response.read(in);
                break;
            case OpCode.DELETE, OpCode.CHECK:
                body = null;
                break;
            case OpCode.SET_DATA:
                body = SetDataResponse.read(in);
                break;
            case OpCode.GET_DATA:
                body = GetDataResponse.read(in);
                break;
            case OpCode.GET_CHILDREN:
                body = GetChildrenResponse.read(in);
                break;
            case OpCode.ERROR:
                body = ErrorResponse.read(in);
                break;
            default:
                throw new MalformedRecordException("multi result type " + header.type() + " is unknown");
        }
        return new MultiResult(header.type(), header.err(), body);
    }

    void write(JuteOutput out) {
        new MultiHeader(type, false, err).write(out);
        if (body != null) {
            body.write(out);
        }
    }
}
