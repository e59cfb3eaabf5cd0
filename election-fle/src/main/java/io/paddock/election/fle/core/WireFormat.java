package io.paddock.election.fle.core;

import io.paddock.api.PeerId;
import io.paddock.api.election.Notification;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import java.nio.ByteBuffer;

/**
 * The messages on an election link, big-endian, one per transport frame, each of an exact size:
 *
 * <pre>
 * HELLO         (15 bytes) byte type=1 | int magic 0x50464C45 ("PFLE") | short version=1 | long sid
 * NOTIFICATION  (50 bytes) byte type=2 | byte state (0 LOOKING, 1 FOLLOWING, 2 LEADING, 3 OBSERVING)
 *                          | long leader | long zxid | long electionEpoch | long peerEpoch | long senderSid
 *                          | long configVersion
 * </pre>
 *
 * <p>The first message on a link, in each direction, is a HELLO; every later one is a NOTIFICATION. Anything else
 * (another length, an unknown type or state, a wrong magic or version, a negative number) is {@link Malformed}, and
 * the driver drops the link. Not interoperable with ZooKeeper's election port: Paddock peers only talk to Paddock
 * peers.
 */
public final class WireFormat {
    public static final byte TYPE_HELLO = 1;
    public static final byte TYPE_NOTIFICATION = 2;
    public static final int MAGIC = 0x50464C45;
    public static final short VERSION = 1;
    public static final int HELLO_BYTES = 1 + 4 + 2 + 8;
    public static final int NOTIFICATION_BYTES = 1 + 1 + 6 * 8;
    /** No valid message is longer; a driver need not copy more than this to decide. */
    public static final int MESSAGE_BYTES_MAX = NOTIFICATION_BYTES;

    private static final PeerState[] STATES = {
        PeerState.LOOKING, PeerState.FOLLOWING, PeerState.LEADING, PeerState.OBSERVING
    };

    private WireFormat() {}

    /** What one frame decoded to. */
    public sealed interface Decoded {}

    /** The first message of a link: who claims to be at the other end. */
    public record Hello(PeerId sid) implements Decoded {}

    /** An election notification. */
    public record Note(Notification notification) implements Decoded {}

    /** Not a valid message; {@code reason} is for the log. */
    public record Malformed(String reason) implements Decoded {}

    public static ByteBuffer hello(PeerId sid) {
        ByteBuffer b = ByteBuffer.allocate(HELLO_BYTES);
        b.put(TYPE_HELLO).putInt(MAGIC).putShort(VERSION).putLong(sid.value());
        return b.flip();
    }

    public static ByteBuffer notification(Notification n) {
        Vote v = n.vote();
        ByteBuffer b = ByteBuffer.allocate(NOTIFICATION_BYTES);
        b.put(TYPE_NOTIFICATION).put(stateCode(n.state()))
                .putLong(v.leader().value()).putLong(v.zxid()).putLong(v.electionEpoch()).putLong(v.peerEpoch())
                .putLong(n.from().value()).putLong(n.configVersion());
        return b.flip();
    }

    /** The wire code of a state; fixed here, not the enum's ordinal, so reordering the enum cannot change the wire. */
    static byte stateCode(PeerState state) {
        switch (state) {
            case LOOKING:
                return 0;
            case FOLLOWING:
                return 1;
            case LEADING:
                return 2;
            case OBSERVING:
                return 3;
            default:
                throw new IllegalArgumentException("no wire code for " + state);
        }
    }

    /** Decodes one frame payload from its position to its limit, without moving the caller's position. */
    public static Decoded decode(ByteBuffer frame) {
        ByteBuffer b = frame.duplicate();
        int length = b.remaining();
        if (length == 0) {
            return new Malformed("empty message");
        }
        byte type = b.get();
        if (type == TYPE_HELLO) {
            if (length != HELLO_BYTES) {
                return new Malformed("hello of " + length + " bytes, expected " + HELLO_BYTES);
            }
            int magic = b.getInt();
            if (magic != MAGIC) {
                return new Malformed("bad magic 0x" + Integer.toHexString(magic));
            }
            short version = b.getShort();
            if (version != VERSION) {
                return new Malformed("unsupported election protocol version " + version);
            }
            long sid = b.getLong();
            if (sid < 0) {
                return new Malformed("negative sid " + sid);
            }
            return new Hello(new PeerId(sid));
        }
        if (type == TYPE_NOTIFICATION) {
            if (length != NOTIFICATION_BYTES) {
                return new Malformed("notification of " + length + " bytes, expected " + NOTIFICATION_BYTES);
            }
            int state = b.get();
            if (state < 0 || state >= STATES.length) {
                return new Malformed("unknown state " + state);
            }
            long leader = b.getLong();
            long zxid = b.getLong();
            long electionEpoch = b.getLong();
            long peerEpoch = b.getLong();
            long sender = b.getLong();
            long configVersion = b.getLong();
            if (leader < 0 || zxid < 0 || electionEpoch < 0 || peerEpoch < 0 || sender < 0) {
                return new Malformed("negative field in notification");
            }
            return new Note(new Notification(new PeerId(sender), STATES[state],
                    new Vote(new PeerId(leader), zxid, electionEpoch, peerEpoch), configVersion));
        }
        return new Malformed("unknown message type " + type);
    }
}
