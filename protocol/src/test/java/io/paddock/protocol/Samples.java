package io.paddock.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Perms;
import io.paddock.api.Stat;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/** Sample values of every record, shared by the round-trip and hostile-input tests, and assertion helpers. */
final class Samples {
    /** é (2 bytes), € (3 bytes) and U+1F600 (a surrogate pair, two 3-byte encodings on the wire). */
    static final String SUPPLEMENTARY = "caf\u00e9 \u20ac \uD83D\uDE00";
    static final Stat STAT = new Stat(0x100000001L, 0x100000002L, 1_700_000_000_000L, 1_700_000_000_500L, 3, 4, 1,
            0x0100000A3B2C0000L, 5, 2, 0x100000003L);
    static final Stat STAT_EXTREMES = new Stat(Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, Integer.MIN_VALUE,
            Integer.MAX_VALUE, -1, -1L, 0, Integer.MAX_VALUE, Long.MIN_VALUE);
    static final List<Acl> ACLS = List.of(new Acl(Perms.ALL, Id.ANYONE),
            new Acl(Perms.READ | Perms.WRITE, new Id("digest", "bob:Xz+/wM8=")));
    static final byte[] DATA = {0, 1, 2, (byte) 0x7f, (byte) 0x80, (byte) 0xff};
    static final byte[] PASSWD = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    /** A record value, its name for reports, and the reader that decodes it. */
    record Sample(String name, JuteRecord value, Function<JuteInput, ? extends JuteRecord> reader) {
        @Override
        public String toString() {
            return name;
        }
    }

    private Samples() {}

    static List<Sample> all() {
        List<Sample> s = new ArrayList<>();
        s.add(new Sample("RequestHeader", new RequestHeader(5, OpCode.GET_DATA), RequestHeader::read));
        s.add(new Sample("RequestHeader ping", new RequestHeader(Xids.PING, OpCode.PING), RequestHeader::read));
        s.add(new Sample("ReplyHeader", new ReplyHeader(-1, 0x1B, 0), ReplyHeader::read));
        s.add(new Sample("ReplyHeader error", new ReplyHeader(7, Long.MAX_VALUE, ErrorCode.NO_NODE),
                ReplyHeader::read));
        s.add(new Sample("ConnectRequest", new ConnectRequest(0, 0x1A, 30000, 0, new byte[16], true, true),
                ConnectRequest::read));
        s.add(new Sample("ConnectRequest without readOnly",
                new ConnectRequest(0, 0, 30000, 0x0100000A3B2C0000L, PASSWD, false, false), ConnectRequest::read));
        s.add(new Sample("ConnectRequest null passwd", new ConnectRequest(0, -1, 0, -1, null, false, true),
                ConnectRequest::read));
        s.add(new Sample("ConnectResponse", new ConnectResponse(0, 30000, 0x0100000A3B2C0000L, PASSWD, true, true),
                ConnectResponse::read));
        s.add(new Sample("ConnectResponse without readOnly", new ConnectResponse(0, 0, 0, new byte[16], false, false),
                ConnectResponse::read));
        s.add(new Sample("AuthPacket", new AuthPacket(0, "digest", "user:password".getBytes(StandardCharsets.UTF_8)),
                AuthPacket::read));
        s.add(new Sample("AuthPacket nulls", new AuthPacket(0, null, null), AuthPacket::read));
        s.add(new Sample("GetSASLRequest", new GetSASLRequest(DATA), GetSASLRequest::read));
        s.add(new Sample("GetSASLRequest null", new GetSASLRequest(null), GetSASLRequest::read));
        s.add(new Sample("SetSASLResponse", new SetSASLResponse(new byte[0]), SetSASLResponse::read));
        s.add(new Sample("SetSASLResponse null", new SetSASLResponse(null), SetSASLResponse::read));
        s.add(new Sample("MultiHeader", new MultiHeader(OpCode.CREATE, false, -1), MultiHeader::read));
        s.add(new Sample("MultiHeader terminator", MultiHeader.TERMINATOR, MultiHeader::read));
        s.add(new Sample("CreateRequest", new CreateRequest("/app/lock-", DATA, ACLS, 3), CreateRequest::read));
        s.add(new Sample("CreateRequest nulls", new CreateRequest(null, null, null, 0), CreateRequest::read));
        s.add(new Sample("CreateRequest empties", new CreateRequest("", new byte[0], List.of(), 0),
                CreateRequest::read));
        s.add(new Sample("CreateTTLRequest", new CreateTTLRequest("/ttl", DATA, ACLS, 5, 60_000L),
                CreateTTLRequest::read));
        s.add(new Sample("CreateTTLRequest nulls", new CreateTTLRequest(null, null, null, 6, -1),
                CreateTTLRequest::read));
        s.add(new Sample("CreateResponse", new CreateResponse("/app/lock-0000000001"), CreateResponse::read));
        s.add(new Sample("CreateResponse null", new CreateResponse(null), CreateResponse::read));
        s.add(new Sample("Create2Response", new Create2Response("/a", STAT), Create2Response::read));
        s.add(new Sample("Create2Response extremes", new Create2Response(null, STAT_EXTREMES),
                Create2Response::read));
        s.add(new Sample("DeleteRequest", new DeleteRequest("/a", -1), DeleteRequest::read));
        s.add(new Sample("DeleteContainerRequest", new DeleteContainerRequest("/container"),
                DeleteContainerRequest::read));
        s.add(new Sample("DeleteContainerRequest null", new DeleteContainerRequest(null),
                DeleteContainerRequest::read));
        s.add(new Sample("SetDataRequest", new SetDataRequest("/a", DATA, 7), SetDataRequest::read));
        s.add(new Sample("SetDataRequest null data", new SetDataRequest("/a", null, -1), SetDataRequest::read));
        s.add(new Sample("SetDataResponse", new SetDataResponse(STAT), SetDataResponse::read));
        s.add(new Sample("CheckVersionRequest", new CheckVersionRequest("/a", 2), CheckVersionRequest::read));
        s.add(new Sample("ExistsRequest", new ExistsRequest("/a", true), ExistsRequest::read));
        s.add(new Sample("ExistsResponse", new ExistsResponse(STAT_EXTREMES), ExistsResponse::read));
        s.add(new Sample("GetDataRequest", new GetDataRequest("/a", false), GetDataRequest::read));
        s.add(new Sample("GetDataResponse", new GetDataResponse(DATA, STAT), GetDataResponse::read));
        s.add(new Sample("GetDataResponse null data", new GetDataResponse(null, STAT), GetDataResponse::read));
        s.add(new Sample("GetChildrenRequest", new GetChildrenRequest("/", true), GetChildrenRequest::read));
        s.add(new Sample("GetChildrenResponse", new GetChildrenResponse(List.of("a", "b", SUPPLEMENTARY)),
                GetChildrenResponse::read));
        s.add(new Sample("GetChildrenResponse null", new GetChildrenResponse(null), GetChildrenResponse::read));
        s.add(new Sample("GetChildrenResponse empty", new GetChildrenResponse(List.of()),
                GetChildrenResponse::read));
        s.add(new Sample("GetChildrenResponse null element", new GetChildrenResponse(Arrays.asList("x", null, "")),
                GetChildrenResponse::read));
        s.add(new Sample("GetChildren2Request", new GetChildren2Request("/a", false), GetChildren2Request::read));
        s.add(new Sample("GetChildren2Response", new GetChildren2Response(List.of("c"), STAT),
                GetChildren2Response::read));
        s.add(new Sample("GetChildren2Response null", new GetChildren2Response(null, STAT),
                GetChildren2Response::read));
        s.add(new Sample("GetAllChildrenNumberRequest", new GetAllChildrenNumberRequest("/a"),
                GetAllChildrenNumberRequest::read));
        s.add(new Sample("GetAllChildrenNumberResponse", new GetAllChildrenNumberResponse(42),
                GetAllChildrenNumberResponse::read));
        s.add(new Sample("GetEphemeralsRequest", new GetEphemeralsRequest("/app"), GetEphemeralsRequest::read));
        s.add(new Sample("GetEphemeralsRequest null", new GetEphemeralsRequest(null), GetEphemeralsRequest::read));
        s.add(new Sample("GetEphemeralsResponse", new GetEphemeralsResponse(List.of("/app/e1", "/e2")),
                GetEphemeralsResponse::read));
        s.add(new Sample("GetEphemeralsResponse null", new GetEphemeralsResponse(null), GetEphemeralsResponse::read));
        s.add(new Sample("SyncRequest", new SyncRequest("/a"), SyncRequest::read));
        s.add(new Sample("SyncResponse", new SyncResponse("/a"), SyncResponse::read));
        s.add(new Sample("ClientInfo", new ClientInfo("sasl", SUPPLEMENTARY), ClientInfo::read));
        s.add(new Sample("ClientInfo nulls", new ClientInfo(null, null), ClientInfo::read));
        s.add(new Sample("WhoAmIResponse", new WhoAmIResponse(List.of(new ClientInfo("ip", "127.0.0.1"),
                new ClientInfo("digest", "bob"))), WhoAmIResponse::read));
        s.add(new Sample("WhoAmIResponse null", new WhoAmIResponse(null), WhoAmIResponse::read));
        s.add(new Sample("WhoAmIResponse empty", new WhoAmIResponse(List.of()), WhoAmIResponse::read));
        s.add(new Sample("GetACLRequest", new GetACLRequest("/a"), GetACLRequest::read));
        s.add(new Sample("GetACLResponse", new GetACLResponse(ACLS, STAT), GetACLResponse::read));
        s.add(new Sample("GetACLResponse null", new GetACLResponse(null, STAT), GetACLResponse::read));
        s.add(new Sample("SetACLRequest", new SetACLRequest("/a", ACLS, 0), SetACLRequest::read));
        s.add(new Sample("SetACLRequest null", new SetACLRequest("/a", null, -1), SetACLRequest::read));
        s.add(new Sample("SetACLResponse", new SetACLResponse(STAT), SetACLResponse::read));
        s.add(new Sample("WatcherEvent", new WatcherEvent(EventType.NODE_DATA_CHANGED,
                EventType.STATE_SYNC_CONNECTED, "/a"), WatcherEvent::read));
        s.add(new Sample("WatcherEvent null path", new WatcherEvent(-1, 0, null), WatcherEvent::read));
        s.add(new Sample("SetWatches", new SetWatches(0x1A, List.of("/d"), List.of("/e1", "/e2"), List.of()),
                SetWatches::read));
        s.add(new Sample("SetWatches nulls", new SetWatches(-1, null, null, null), SetWatches::read));
        s.add(new Sample("SetWatches2", new SetWatches2(0x1A, List.of("/d"), List.of(), List.of("/c"),
                List.of("/p"), List.of("/r1", "/r2")), SetWatches2::read));
        s.add(new Sample("SetWatches2 nulls", new SetWatches2(0, null, null, null, null, null), SetWatches2::read));
        s.add(new Sample("AddWatchRequest", new AddWatchRequest("/a",
                WatcherType.ADD_WATCH_MODE_PERSISTENT_RECURSIVE), AddWatchRequest::read));
        s.add(new Sample("CheckWatchesRequest", new CheckWatchesRequest("/a", WatcherType.DATA),
                CheckWatchesRequest::read));
        s.add(new Sample("RemoveWatchesRequest", new RemoveWatchesRequest("/a", WatcherType.ANY),
                RemoveWatchesRequest::read));
        s.add(new Sample("ErrorResponse", new ErrorResponse(ErrorCode.NO_WATCHER), ErrorResponse::read));
        s.add(new Sample("ReconfigRequest", new ReconfigRequest("server.4=h4:2888:3888;2181", null, null, -1),
                ReconfigRequest::read));
        s.add(new Sample("ReconfigRequest members", new ReconfigRequest(null, "", SUPPLEMENTARY, 0x100000000L),
                ReconfigRequest::read));
        s.add(new Sample("MultiRequest writes", multiOfWrites(), MultiRequest::read));
        s.add(new Sample("MultiRequest reads", multiOfReads(), MultiRequest::read));
        s.add(new Sample("MultiRequest empty", new MultiRequest(List.of()), MultiRequest::read));
        s.add(new Sample("MultiResponse success", multiResponseSuccess(), MultiResponse::read));
        s.add(new Sample("MultiResponse failure", new MultiResponse(List.of(MultiResult.error(0),
                MultiResult.error(ErrorCode.NODE_EXISTS), MultiResult.error(ErrorCode.RUNTIME_INCONSISTENCY))),
                MultiResponse::read));
        s.add(new Sample("MultiResponse empty", new MultiResponse(List.of()), MultiResponse::read));
        return s;
    }

    static MultiRequest multiOfWrites() {
        return new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/m", DATA, ACLS, 0)),
                new MultiOp(OpCode.CREATE2, new CreateRequest("/m/s-", null, ACLS, 2)),
                new MultiOp(OpCode.CREATE_CONTAINER, new CreateRequest("/c", new byte[0], ACLS, 4)),
                new MultiOp(OpCode.CREATE_TTL, new CreateTTLRequest("/t", DATA, ACLS, 5, 1000)),
                new MultiOp(OpCode.DELETE, new DeleteRequest("/old", -1)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/m", DATA, 0)),
                new MultiOp(OpCode.CHECK, new CheckVersionRequest("/m", 1))));
    }

    static MultiRequest multiOfReads() {
        return new MultiRequest(List.of(
                new MultiOp(OpCode.GET_DATA, new GetDataRequest("/m", false)),
                new MultiOp(OpCode.GET_CHILDREN, new GetChildrenRequest("/", false))));
    }

    static MultiResponse multiResponseSuccess() {
        return new MultiResponse(List.of(
                new MultiResult(OpCode.CREATE, 0, new CreateResponse("/m")),
                new MultiResult(OpCode.CREATE2, 0, new Create2Response("/m/s-0000000000", STAT)),
                new MultiResult(OpCode.DELETE, 0, null),
                new MultiResult(OpCode.SET_DATA, 0, new SetDataResponse(STAT)),
                new MultiResult(OpCode.CHECK, 0, null),
                new MultiResult(OpCode.GET_DATA, 0, new GetDataResponse(DATA, STAT)),
                new MultiResult(OpCode.GET_CHILDREN, 0, new GetChildrenResponse(List.of("a"))),
                MultiResult.error(ErrorCode.NO_NODE)));
    }

    static byte[] encode(JuteRecord r) {
        JuteOutput out = JuteOutput.plain();
        r.write(out);
        return out.toByteArray();
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("[\\s|]", ""));
    }

    /**
     * Field-by-field equality through nested records and lists, comparing byte arrays by content (the records keep
     * the default, identity-based equals for arrays).
     */
    static void assertDeepEquals(Object expected, Object actual) {
        assertDeepEquals(expected, actual, "value");
    }

    private static void assertDeepEquals(Object expected, Object actual, String where) {
        if (expected == null) {
            assertNull(actual, where);
        } else if (expected instanceof byte[] e) {
            assertArrayEquals(e, (byte[]) actual, where);
        } else if (expected instanceof List<?> e) {
            List<?> a = (List<?>) actual;
            assertEquals(e.size(), a.size(), where + ".size");
            for (int i = 0; i < e.size(); i++) {
                assertDeepEquals(e.get(i), a.get(i), where + "[" + i + "]");
            }
        } else if (expected.getClass().isRecord()) {
            assertEquals(expected.getClass(), actual.getClass(), where);
            for (RecordComponent c : expected.getClass().getRecordComponents()) {
                try {
                    assertDeepEquals(c.getAccessor().invoke(expected), c.getAccessor().invoke(actual),
                            where + "." + c.getName());
                } catch (ReflectiveOperationException ex) {
                    throw new AssertionError(ex);
                }
            }
        } else {
            assertEquals(expected, actual, where);
        }
    }
}
