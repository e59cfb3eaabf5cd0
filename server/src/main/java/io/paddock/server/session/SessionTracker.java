package io.paddock.server.session;

import io.paddock.api.time.Ticker;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The session table, session ids, passwords and expiry deadlines (WIRE-PROTOCOL.md §2.6-2.8).
 *
 * <p>Passwords are an HMAC-SHA256 of the session id under a random per-server secret, cut to 16 bytes: stable for
 * the session's life, checkable without storing them, and impossible to derive from the id without the secret
 * (ZooKeeper seeds java.util.Random with the id, which anyone can recompute). The password also travels in the
 * createSession txn, so every peer can check a reconnect.
 *
 * <p>Deadlines are rounded up to the next tick, as ZooKeeper's expiry buckets do: a session expires between its
 * timeout and timeout + tickTime after its last packet.
 */
public final class SessionTracker {
    private static final int PASSWORD_BYTES = 16;
    private static final long CONTAINER_MARKER = Long.MIN_VALUE;

    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private final int tickTimeMs;
    private final SecretKeySpec secret;
    private long nextSessionId;

    public SessionTracker(long serverId, long wallClockMs, Ticker ticker, int tickTimeMs) {
        this.ticker = ticker;
        this.tickTimeMs = tickTimeMs;
        // Top byte: server id; next 40 bits: wall-clock millis, so ids of a restarted server do not repeat old ones.
        this.nextSessionId = (serverId << 56) | ((wallClockMs << 24) >>> 8);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.secret = new SecretKeySpec(key, "HmacSHA256");
    }

    public synchronized long nextSessionId() {
        long id = nextSessionId++;
        if (id == CONTAINER_MARKER) {
            id = nextSessionId++;
        }
        return id;
    }

    public byte[] passwordFor(long sessionId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            byte[] full = mac.doFinal(ByteBuffer.allocate(8).putLong(0, sessionId).array());
            return Arrays.copyOf(full, PASSWORD_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time password check against the session's stored password. */
    public boolean passwordMatches(Session session, byte[] offered) {
        return offered != null && MessageDigest.isEqual(session.password(), offered);
    }

    /** Applies a createSession txn. */
    public Session add(long sessionId, byte[] password, int timeoutMs) {
        Session s = new Session(sessionId, password, timeoutMs);
        touch(s);
        Session prior = sessions.putIfAbsent(sessionId, s);
        return prior != null ? prior : s;
    }

    /** Forgets every session, before a snapshot's table replaces it. */
    public void clear() {
        sessions.clear();
    }

    public Session get(long sessionId) {
        return sessions.get(sessionId);
    }

    public Session remove(long sessionId) {
        return sessions.remove(sessionId);
    }

    public Collection<Session> all() {
        return Collections.unmodifiableCollection(sessions.values());
    }

    public int count() {
        return sessions.size();
    }

    /** Renews the session: its deadline becomes now + timeout, rounded up to the next tick. */
    public void touch(Session s) {
        long deadline = ticker.millis() + s.timeoutMs();
        s.deadlineMs((deadline / tickTimeMs + 1) * tickTimeMs);
    }

    public void touch(Session s, int newTimeoutMs) {
        s.timeoutMs(newTimeoutMs);
        touch(s);
    }

    /** Sessions whose deadline has passed and that are not already closing. */
    public List<Session> expired() {
        long now = ticker.millis();
        List<Session> out = new ArrayList<>();
        for (Session s : sessions.values()) {
            if (!s.isClosing() && s.deadlineMs() <= now) {
                out.add(s);
            }
        }
        return out;
    }
}
