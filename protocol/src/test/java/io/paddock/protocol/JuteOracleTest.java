package io.paddock.protocol;

import static io.paddock.protocol.Samples.ACLS;
import static io.paddock.protocol.Samples.DATA;
import static io.paddock.protocol.Samples.PASSWD;
import static io.paddock.protocol.Samples.STAT;
import static io.paddock.protocol.Samples.STAT_EXTREMES;
import static io.paddock.protocol.Samples.SUPPLEMENTARY;
import static io.paddock.protocol.Samples.assertDeepEquals;
import static io.paddock.protocol.Samples.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.paddock.api.Acl;
import io.paddock.api.Stat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetACLResponse;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberResponse;
import org.apache.zookeeper.proto.GetChildren2Request;
import org.apache.zookeeper.proto.GetChildren2Response;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.GetSASLRequest;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.ReconfigRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;
import org.apache.zookeeper.proto.SetSASLResponse;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;
import org.apache.zookeeper.proto.WatcherEvent;
import org.apache.zookeeper.proto.WhoAmIResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Byte-exact comparison with the official generated jute classes (zookeeper-jute 3.9.4): the same values serialized
 * by both must give the same bytes, our reader must decode the oracle's bytes, and the oracle must decode ours.
 * Our records are referred to by their fully qualified names where the simple names clash with the oracle's.
 */
class JuteOracleTest {

    /** One record with its oracle twin; {@code empty} builds the oracle instance that decodes our bytes. */
    record Case(String name, JuteRecord ours, Record oracle, Function<JuteInput, ? extends JuteRecord> reader,
            Supplier<Record> empty) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("RequestHeader", new io.paddock.protocol.RequestHeader(5, 4), new RequestHeader(5, 4),
                io.paddock.protocol.RequestHeader::read, RequestHeader::new));
        c.add(new Case("ReplyHeader", new io.paddock.protocol.ReplyHeader(-1, 0x1B, -101),
                new ReplyHeader(-1, 0x1B, -101), io.paddock.protocol.ReplyHeader::read, ReplyHeader::new));
        c.add(new Case("ConnectRequest",
                new io.paddock.protocol.ConnectRequest(0, 0x1A, 30000, 0x0100000A3B2C0000L, PASSWD, true, true),
                new ConnectRequest(0, 0x1A, 30000, 0x0100000A3B2C0000L, PASSWD, true),
                io.paddock.protocol.ConnectRequest::read, ConnectRequest::new));
        c.add(new Case("ConnectRequest null passwd",
                new io.paddock.protocol.ConnectRequest(0, 0, 4000, 0, null, false, true),
                new ConnectRequest(0, 0, 4000, 0, null, false),
                io.paddock.protocol.ConnectRequest::read, ConnectRequest::new));
        c.add(new Case("ConnectResponse",
                new io.paddock.protocol.ConnectResponse(0, 30000, 0x0100000A3B2C0000L, PASSWD, false, true),
                new ConnectResponse(0, 30000, 0x0100000A3B2C0000L, PASSWD, false),
                io.paddock.protocol.ConnectResponse::read, ConnectResponse::new));
        c.add(new Case("AuthPacket", new io.paddock.protocol.AuthPacket(0, "digest", bytes("user:password")),
                new AuthPacket(0, "digest", bytes("user:password")), io.paddock.protocol.AuthPacket::read,
                AuthPacket::new));
        c.add(new Case("AuthPacket nulls", new io.paddock.protocol.AuthPacket(0, null, null),
                new AuthPacket(0, null, null), io.paddock.protocol.AuthPacket::read, AuthPacket::new));
        c.add(new Case("GetSASLRequest", new io.paddock.protocol.GetSASLRequest(DATA), new GetSASLRequest(DATA),
                io.paddock.protocol.GetSASLRequest::read, GetSASLRequest::new));
        c.add(new Case("SetSASLResponse", new io.paddock.protocol.SetSASLResponse(null), new SetSASLResponse(null),
                io.paddock.protocol.SetSASLResponse::read, SetSASLResponse::new));
        c.add(new Case("MultiHeader", new io.paddock.protocol.MultiHeader(-1, true, -1),
                new MultiHeader(-1, true, -1), io.paddock.protocol.MultiHeader::read, MultiHeader::new));
        c.add(new Case("CreateRequest", new io.paddock.protocol.CreateRequest("/app/lock-", DATA, ACLS, 3),
                new CreateRequest("/app/lock-", DATA, acls(ACLS), 3), io.paddock.protocol.CreateRequest::read,
                CreateRequest::new));
        c.add(new Case("CreateRequest nulls", new io.paddock.protocol.CreateRequest(null, null, null, 0),
                new CreateRequest(null, null, null, 0), io.paddock.protocol.CreateRequest::read,
                CreateRequest::new));
        c.add(new Case("CreateTTLRequest", new io.paddock.protocol.CreateTTLRequest("/t", DATA, ACLS, 5, 60_000),
                new CreateTTLRequest("/t", DATA, acls(ACLS), 5, 60_000), io.paddock.protocol.CreateTTLRequest::read,
                CreateTTLRequest::new));
        c.add(new Case("CreateResponse", new io.paddock.protocol.CreateResponse("/a0000000001"),
                new CreateResponse("/a0000000001"), io.paddock.protocol.CreateResponse::read, CreateResponse::new));
        c.add(new Case("Create2Response", new io.paddock.protocol.Create2Response("/a", STAT),
                new Create2Response("/a", stat(STAT)), io.paddock.protocol.Create2Response::read,
                Create2Response::new));
        c.add(new Case("DeleteRequest", new io.paddock.protocol.DeleteRequest("/a", -1), new DeleteRequest("/a", -1),
                io.paddock.protocol.DeleteRequest::read, DeleteRequest::new));
        c.add(new Case("SetDataRequest", new io.paddock.protocol.SetDataRequest("/a", DATA, 7),
                new SetDataRequest("/a", DATA, 7), io.paddock.protocol.SetDataRequest::read, SetDataRequest::new));
        c.add(new Case("SetDataRequest null data", new io.paddock.protocol.SetDataRequest("/a", null, -1),
                new SetDataRequest("/a", null, -1), io.paddock.protocol.SetDataRequest::read, SetDataRequest::new));
        c.add(new Case("SetDataResponse", new io.paddock.protocol.SetDataResponse(STAT_EXTREMES),
                new SetDataResponse(stat(STAT_EXTREMES)), io.paddock.protocol.SetDataResponse::read,
                SetDataResponse::new));
        c.add(new Case("CheckVersionRequest", new io.paddock.protocol.CheckVersionRequest("/a", 2),
                new CheckVersionRequest("/a", 2), io.paddock.protocol.CheckVersionRequest::read,
                CheckVersionRequest::new));
        c.add(new Case("ExistsRequest", new io.paddock.protocol.ExistsRequest("/a", true),
                new ExistsRequest("/a", true), io.paddock.protocol.ExistsRequest::read, ExistsRequest::new));
        c.add(new Case("ExistsResponse", new io.paddock.protocol.ExistsResponse(STAT), new ExistsResponse(stat(STAT)),
                io.paddock.protocol.ExistsResponse::read, ExistsResponse::new));
        c.add(new Case("GetDataRequest", new io.paddock.protocol.GetDataRequest("/a", true),
                new GetDataRequest("/a", true), io.paddock.protocol.GetDataRequest::read, GetDataRequest::new));
        c.add(new Case("GetDataResponse", new io.paddock.protocol.GetDataResponse(DATA, STAT),
                new GetDataResponse(DATA, stat(STAT)), io.paddock.protocol.GetDataResponse::read,
                GetDataResponse::new));
        c.add(new Case("GetDataResponse null data", new io.paddock.protocol.GetDataResponse(null, STAT),
                new GetDataResponse(null, stat(STAT)), io.paddock.protocol.GetDataResponse::read,
                GetDataResponse::new));
        c.add(new Case("GetChildrenRequest", new io.paddock.protocol.GetChildrenRequest("/", false),
                new GetChildrenRequest("/", false), io.paddock.protocol.GetChildrenRequest::read,
                GetChildrenRequest::new));
        c.add(new Case("GetChildrenResponse", new io.paddock.protocol.GetChildrenResponse(List.of("a", "b", "\u00e9")),
                new GetChildrenResponse(List.of("a", "b", "\u00e9")), io.paddock.protocol.GetChildrenResponse::read,
                GetChildrenResponse::new));
        c.add(new Case("GetChildrenResponse null", new io.paddock.protocol.GetChildrenResponse(null),
                new GetChildrenResponse(null), io.paddock.protocol.GetChildrenResponse::read,
                GetChildrenResponse::new));
        c.add(new Case("GetChildren2Request", new io.paddock.protocol.GetChildren2Request("/a", true),
                new GetChildren2Request("/a", true), io.paddock.protocol.GetChildren2Request::read,
                GetChildren2Request::new));
        c.add(new Case("GetChildren2Response", new io.paddock.protocol.GetChildren2Response(List.of(), STAT),
                new GetChildren2Response(List.of(), stat(STAT)), io.paddock.protocol.GetChildren2Response::read,
                GetChildren2Response::new));
        c.add(new Case("GetAllChildrenNumberRequest", new io.paddock.protocol.GetAllChildrenNumberRequest("/a"),
                new GetAllChildrenNumberRequest("/a"), io.paddock.protocol.GetAllChildrenNumberRequest::read,
                GetAllChildrenNumberRequest::new));
        c.add(new Case("GetAllChildrenNumberResponse", new io.paddock.protocol.GetAllChildrenNumberResponse(42),
                new GetAllChildrenNumberResponse(42), io.paddock.protocol.GetAllChildrenNumberResponse::read,
                GetAllChildrenNumberResponse::new));
        c.add(new Case("GetEphemeralsRequest", new io.paddock.protocol.GetEphemeralsRequest(null),
                new GetEphemeralsRequest(null), io.paddock.protocol.GetEphemeralsRequest::read,
                GetEphemeralsRequest::new));
        c.add(new Case("GetEphemeralsResponse", new io.paddock.protocol.GetEphemeralsResponse(List.of("/e1", "/a/e2")),
                new GetEphemeralsResponse(List.of("/e1", "/a/e2")), io.paddock.protocol.GetEphemeralsResponse::read,
                GetEphemeralsResponse::new));
        c.add(new Case("SyncRequest", new io.paddock.protocol.SyncRequest("/a"), new SyncRequest("/a"),
                io.paddock.protocol.SyncRequest::read, SyncRequest::new));
        c.add(new Case("SyncResponse", new io.paddock.protocol.SyncResponse("/a"), new SyncResponse("/a"),
                io.paddock.protocol.SyncResponse::read, SyncResponse::new));
        c.add(new Case("ClientInfo", new io.paddock.protocol.ClientInfo("sasl", "caf\u00e9 \u20ac"),
                new org.apache.zookeeper.data.ClientInfo("sasl", "caf\u00e9 \u20ac"), io.paddock.protocol.ClientInfo::read,
                org.apache.zookeeper.data.ClientInfo::new));
        c.add(new Case("WhoAmIResponse", new io.paddock.protocol.WhoAmIResponse(List.of(
                new io.paddock.protocol.ClientInfo("ip", "127.0.0.1"), new io.paddock.protocol.ClientInfo("digest",
                        "bob"))),
                new WhoAmIResponse(List.of(new org.apache.zookeeper.data.ClientInfo("ip", "127.0.0.1"),
                        new org.apache.zookeeper.data.ClientInfo("digest", "bob"))),
                io.paddock.protocol.WhoAmIResponse::read, WhoAmIResponse::new));
        c.add(new Case("WhoAmIResponse null", new io.paddock.protocol.WhoAmIResponse(null), new WhoAmIResponse(null),
                io.paddock.protocol.WhoAmIResponse::read, WhoAmIResponse::new));
        c.add(new Case("GetACLRequest", new io.paddock.protocol.GetACLRequest("/a"), new GetACLRequest("/a"),
                io.paddock.protocol.GetACLRequest::read, GetACLRequest::new));
        c.add(new Case("GetACLResponse", new io.paddock.protocol.GetACLResponse(ACLS, STAT),
                new GetACLResponse(acls(ACLS), stat(STAT)), io.paddock.protocol.GetACLResponse::read,
                GetACLResponse::new));
        c.add(new Case("SetACLRequest", new io.paddock.protocol.SetACLRequest("/a", ACLS, 3),
                new SetACLRequest("/a", acls(ACLS), 3), io.paddock.protocol.SetACLRequest::read,
                SetACLRequest::new));
        c.add(new Case("SetACLResponse", new io.paddock.protocol.SetACLResponse(STAT), new SetACLResponse(stat(STAT)),
                io.paddock.protocol.SetACLResponse::read, SetACLResponse::new));
        c.add(new Case("WatcherEvent", new io.paddock.protocol.WatcherEvent(3, 3, "/a"), new WatcherEvent(3, 3, "/a"),
                io.paddock.protocol.WatcherEvent::read, WatcherEvent::new));
        c.add(new Case("SetWatches", new io.paddock.protocol.SetWatches(0x1A, List.of("/d"), List.of(), null),
                new SetWatches(0x1A, List.of("/d"), List.of(), null), io.paddock.protocol.SetWatches::read,
                SetWatches::new));
        c.add(new Case("SetWatches2", new io.paddock.protocol.SetWatches2(-1, List.of("/d"), List.of("/e"),
                List.of("/c"), List.of("/p"), List.of("/r", "/s")),
                new SetWatches2(-1, List.of("/d"), List.of("/e"), List.of("/c"), List.of("/p"), List.of("/r", "/s")),
                io.paddock.protocol.SetWatches2::read, SetWatches2::new));
        c.add(new Case("AddWatchRequest", new io.paddock.protocol.AddWatchRequest("/a", 1),
                new AddWatchRequest("/a", 1), io.paddock.protocol.AddWatchRequest::read, AddWatchRequest::new));
        c.add(new Case("CheckWatchesRequest", new io.paddock.protocol.CheckWatchesRequest("/a", 2),
                new CheckWatchesRequest("/a", 2), io.paddock.protocol.CheckWatchesRequest::read,
                CheckWatchesRequest::new));
        c.add(new Case("RemoveWatchesRequest", new io.paddock.protocol.RemoveWatchesRequest("/a", 3),
                new RemoveWatchesRequest("/a", 3), io.paddock.protocol.RemoveWatchesRequest::read,
                RemoveWatchesRequest::new));
        c.add(new Case("ErrorResponse", new io.paddock.protocol.ErrorResponse(-121), new ErrorResponse(-121),
                io.paddock.protocol.ErrorResponse::read, ErrorResponse::new));
        c.add(new Case("ReconfigRequest", new io.paddock.protocol.ReconfigRequest("server.4=h:2888:3888;2181", null,
                null, -1), new ReconfigRequest("server.4=h:2888:3888;2181", null, null, -1),
                io.paddock.protocol.ReconfigRequest::read, ReconfigRequest::new));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ourBytesEqualTheOfficialSerialization(Case c) {
        assertArrayEquals(serialize(c.oracle()), encode(c.ours()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void weDecodeTheOfficialBytesToTheSameValues(Case c) {
        JuteInput in = JuteInput.of(serialize(c.oracle()));

        JuteRecord decoded = c.reader().apply(in);

        assertFalse(in.hasRemaining());
        assertDeepEquals(c.ours(), decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theOfficialClassesDecodeOurBytes(Case c) {
        byte[] ours = encode(c.ours());
        Record decoded = c.empty().get();

        deserialize(ours, decoded);

        // generated equals() dereferences fields without null checks, so compare the re-serialized form
        assertArrayEquals(ours, serialize(decoded));
    }

    @Test
    void connectRequestFromAPre34ClientIsTheOfficialFormMinusTheLastByte() {
        byte[] official = serialize(new ConnectRequest(0, 0, 30000, 0, new byte[16], false));
        byte[] ours = encode(new io.paddock.protocol.ConnectRequest(0, 0, 30000, 0, new byte[16], false, false));

        assertArrayEquals(Arrays.copyOf(official, official.length - 1), ours);
        assertFalse(io.paddock.protocol.ConnectRequest.read(JuteInput.of(ours)).hasReadOnly());
    }

    @Test
    void deleteContainerRequestIsThePathAsAJuteBuffer() {
        // the class lives in the main zookeeper artifact, so build its form from the archive's buffer encoding
        byte[] official = archive(a -> a.writeBuffer("/container/\u00e9".getBytes(StandardCharsets.UTF_8), "path"));

        assertArrayEquals(official, encode(new DeleteContainerRequest("/container/\u00e9")));
        assertEquals("/container/\u00e9", DeleteContainerRequest.read(JuteInput.of(official)).path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\u0000", "\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "\uD83D\uDE00",
            "lone \uD800 high", "lone \uDC00 low", SUPPLEMENTARY})
    void stringsEncodeLikeTheOfficialWriterCharForChar(String s) {
        byte[] official = archive(a -> a.writeString(s, "s"));

        assertArrayEquals(official, JuteOutput.plain().writeString(s).toByteArray());
        assertEquals(s, JuteInput.of(official).readString(), "our reader keeps what the Java writer wrote");
    }

    @Test
    void supplementaryCharactersSurviveOurReaderButNotTheOfficialOne() {
        // The official writer emits each surrogate as its own 3-byte sequence and the official reader decodes with
        // the JDK's strict UTF-8, which replaces those sequences. Our reader accepts them, so a string a Java client
        // sends comes back to it byte for byte instead of being corrupted on the server.
        byte[] official = serialize(new org.apache.zookeeper.data.ClientInfo("sasl", SUPPLEMENTARY));
        org.apache.zookeeper.data.ClientInfo officialBack = new org.apache.zookeeper.data.ClientInfo();
        deserialize(official, officialBack);

        assertArrayEquals(official, encode(new io.paddock.protocol.ClientInfo("sasl", SUPPLEMENTARY)));
        assertEquals(SUPPLEMENTARY, io.paddock.protocol.ClientInfo.read(JuteInput.of(official)).user());
        assertFalse(officialBack.getUser().equals(SUPPLEMENTARY), "the official reader loses the character");
    }

    @Test
    void fourByteUtf8FromNonJavaClientsDecodesLikeTheOfficialReader() {
        byte[] standard = archive(a -> a.writeBuffer(SUPPLEMENTARY.getBytes(StandardCharsets.UTF_8), "s"));
        org.apache.zookeeper.proto.SyncRequest officialBack = new org.apache.zookeeper.proto.SyncRequest();
        deserialize(standard, officialBack);

        assertEquals(officialBack.getPath(), io.paddock.protocol.SyncRequest.read(JuteInput.of(standard)).path());
        assertEquals(SUPPLEMENTARY, officialBack.getPath());
    }

    @Test
    void multiRequestMatchesHeadersAndRecordsFromTheOfficialClasses() {
        byte[] expected = archive(a -> {
            op(a, 1, new CreateRequest("/m", DATA, acls(ACLS), 0));
            op(a, 15, new CreateRequest("/m/s-", null, acls(ACLS), 2));
            op(a, 19, new CreateRequest("/c", new byte[0], acls(ACLS), 4));
            op(a, 21, new CreateTTLRequest("/t", DATA, acls(ACLS), 5, 1000));
            op(a, 2, new DeleteRequest("/old", -1));
            op(a, 5, new SetDataRequest("/m", DATA, 0));
            op(a, 13, new CheckVersionRequest("/m", 1));
            new MultiHeader(-1, true, -1).serialize(a, "h");
        });
        MultiRequest ours = Samples.multiOfWrites();

        assertArrayEquals(expected, encode(ours));
        assertDeepEquals(ours, MultiRequest.read(JuteInput.of(expected)));
    }

    @Test
    void multiReadMatchesHeadersAndRecordsFromTheOfficialClasses() {
        byte[] expected = archive(a -> {
            op(a, 4, new GetDataRequest("/m", false));
            op(a, 8, new GetChildrenRequest("/", false));
            new MultiHeader(-1, true, -1).serialize(a, "h");
        });

        assertArrayEquals(expected, encode(Samples.multiOfReads()));
        assertDeepEquals(Samples.multiOfReads(), MultiRequest.read(JuteInput.of(expected)));
    }

    @Test
    void multiResponseMatchesHeadersAndRecordsFromTheOfficialClasses() {
        byte[] expected = archive(a -> {
            result(a, 1, 0, new CreateResponse("/m"));
            result(a, 15, 0, new Create2Response("/m/s-0000000000", stat(STAT)));
            result(a, 2, 0, null);
            result(a, 5, 0, new SetDataResponse(stat(STAT)));
            result(a, 13, 0, null);
            result(a, 4, 0, new GetDataResponse(DATA, stat(STAT)));
            result(a, 8, 0, new GetChildrenResponse(List.of("a")));
            result(a, -1, -101, new ErrorResponse(-101));
            new MultiHeader(-1, true, -1).serialize(a, "h");
        });

        assertArrayEquals(expected, encode(Samples.multiResponseSuccess()));
        assertDeepEquals(Samples.multiResponseSuccess(), MultiResponse.read(JuteInput.of(expected)));
    }

    @Test
    void failedMultiResponseMatchesTheOfficialShape() {
        byte[] expected = archive(a -> {
            result(a, -1, 0, new ErrorResponse(0));
            result(a, -1, -110, new ErrorResponse(-110));
            result(a, -1, -2, new ErrorResponse(-2));
            new MultiHeader(-1, true, -1).serialize(a, "h");
        });
        MultiResponse ours = new MultiResponse(List.of(MultiResult.error(0), MultiResult.error(-110),
                MultiResult.error(-2)));

        assertArrayEquals(expected, encode(ours));
    }

    private static void op(BinaryOutputArchive a, int type, Record request) throws IOException {
        new MultiHeader(type, false, -1).serialize(a, "h");
        request.serialize(a, "op");
    }

    private static void result(BinaryOutputArchive a, int type, int err, Record body) throws IOException {
        new MultiHeader(type, false, err).serialize(a, "h");
        if (body != null) {
            body.serialize(a, "r");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static org.apache.zookeeper.data.Stat stat(Stat s) {
        return new org.apache.zookeeper.data.Stat(s.czxid(), s.mzxid(), s.ctime(), s.mtime(), s.version(),
                s.cversion(), s.aversion(), s.ephemeralOwner(), s.dataLength(), s.numChildren(), s.pzxid());
    }

    private static List<ACL> acls(List<Acl> acls) {
        List<ACL> out = new ArrayList<>();
        for (Acl a : acls) {
            out.add(new ACL(a.perms(), new Id(a.id().scheme(), a.id().id())));
        }
        return out;
    }

    interface ArchiveWriter {
        void write(BinaryOutputArchive archive) throws IOException;
    }

    private static byte[] archive(ArchiveWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writer.write(BinaryOutputArchive.getArchive(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] serialize(Record r) {
        return archive(a -> r.serialize(a, "r"));
    }

    private static void deserialize(byte[] bytes, Record into) {
        try {
            into.deserialize(BinaryInputArchive.getArchive(new ByteArrayInputStream(bytes)), "r");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
