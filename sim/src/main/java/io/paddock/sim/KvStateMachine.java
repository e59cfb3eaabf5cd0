package io.paddock.sim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated server: a sorted map fed by {@code key=value} txns, plus a digest chained over every applied
 * (zxid, txn), so two peers at the same zxid with different histories show different digests.
 */
public final class KvStateMachine {
    private final TreeMap<String, String> data = new TreeMap<>();
    private long lastApplied;
    private long digest;

    public void apply(long zxid, byte[] txn) {
        if (zxid <= lastApplied) {
            throw new IllegalStateException("apply " + Long.toHexString(zxid) + " after " + Long.toHexString(lastApplied));
        }
        String s = new String(txn, StandardCharsets.UTF_8);
        int eq = s.indexOf('=');
        data.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
        digest = mix(digest, zxid, txn);
        lastApplied = zxid;
    }

    static long mix(long digest, long zxid, byte[] txn) {
        long h = digest * 0x9E3779B97F4A7C15L + zxid;
        for (byte b : txn) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return h ^ (h >>> 29);
    }

    public long lastApplied() {
        return lastApplied;
    }

    public long digest() {
        return digest;
    }

    public Map<String, String> data() {
        return data;
    }

    public byte[] serialize() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bos)) {
            out.writeLong(lastApplied);
            out.writeLong(digest);
            out.writeInt(data.size());
            for (Map.Entry<String, String> e : data.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    public static KvStateMachine restore(byte[] bytes) {
        KvStateMachine sm = new KvStateMachine();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            sm.lastApplied = in.readLong();
            sm.digest = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                sm.data.put(in.readUTF(), in.readUTF());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sm;
    }

    /** The zxid a serialized snapshot is at, without loading it. */
    public static long zxidOf(byte[] snapshot) {
        long z = 0;
        for (int i = 0; i < 8; i++) {
            z = (z << 8) | (snapshot[i] & 0xFF);
        }
        return z;
    }

    /** The digest a serialized snapshot carries. */
    public static long digestOf(byte[] snapshot) {
        long d = 0;
        for (int i = 8; i < 16; i++) {
            d = (d << 8) | (snapshot[i] & 0xFF);
        }
        return d;
    }
}
