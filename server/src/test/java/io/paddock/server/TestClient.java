package io.paddock.server;

import io.paddock.api.transport.ConnectionHandler;
import io.paddock.protocol.ConnectRequest;
import io.paddock.protocol.ConnectResponse;
import io.paddock.protocol.JuteInput;
import io.paddock.protocol.JuteOutput;
import io.paddock.protocol.JuteRecord;
import io.paddock.protocol.ReplyHeader;
import io.paddock.protocol.WatcherEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Drives the server's ConnectionHandler the way a client would, without sockets. */
final class TestClient {
    final FakeConnection conn = new FakeConnection();
    final ConnectionHandler handler;
    final Object attachment;
    final List<WatcherEvent> events = new ArrayList<>();
    long sessionId;
    byte[] password;
    int xid;

    TestClient(ZkServer server) {
        this.handler = server.connectionHandler();
        this.attachment = handler.connectionOpened(conn);
    }

    ConnectResponse connect(int timeoutMs) throws InterruptedException {
        return connect(timeoutMs, 0, new byte[16]);
    }

    ConnectResponse connect(int timeoutMs, long session, byte[] passwd) throws InterruptedException {
        JuteOutput out = JuteOutput.plain();
        new ConnectRequest(0, 0, timeoutMs, session, passwd, false, true).write(out);
        handler.frameReceived(conn, attachment, ByteBuffer.wrap(out.toByteArray()));
        ConnectResponse r = ConnectResponse.read(new JuteInput(conn.next()));
        sessionId = r.sessionId();
        password = r.passwd();
        return r;
    }

    /** Sends a request and returns its xid. */
    int send(int op, JuteRecord body) {
        int x = ++xid;
        sendWithXid(x, op, body);
        return x;
    }

    void sendWithXid(int x, int op, JuteRecord body) {
        JuteOutput out = JuteOutput.plain();
        out.writeInt(x).writeInt(op);
        if (body != null) {
            body.write(out);
        }
        handler.frameReceived(conn, attachment, ByteBuffer.wrap(out.toByteArray()));
    }

    void sendRaw(byte[] payload) {
        handler.frameReceived(conn, attachment, ByteBuffer.wrap(payload));
    }

    /** A reply: header plus a reader positioned at the body. Notifications met on the way are collected. */
    record Reply(ReplyHeader header, JuteInput body) {}

    Reply reply() throws InterruptedException {
        while (true) {
            JuteInput in = new JuteInput(conn.next());
            ReplyHeader h = ReplyHeader.read(in);
            if (h.xid() == -1) {
                events.add(WatcherEvent.read(in));
                continue;
            }
            return new Reply(h, in);
        }
    }

    Reply call(int op, JuteRecord body) throws InterruptedException {
        int x = send(op, body);
        Reply r = reply();
        if (r.header().xid() != x) {
            throw new AssertionError("reply xid " + r.header().xid() + " but expected " + x);
        }
        return r;
    }

    void close() {
        handler.connectionClosed(conn, attachment);
    }
}
