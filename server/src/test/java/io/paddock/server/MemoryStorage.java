package io.paddock.server;

import io.paddock.api.storage.DurableValues;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.TxnCursor;
import io.paddock.api.storage.TxnLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Storage in memory with the SPI's crash semantics: what was appended but not synced is lost by {@link #crash()}.
 * A "disk" outlives the Storage objects opened on it, as files outlive a process. Can be told to fail syncs.
 */
final class MemoryStorage implements Storage {
    /** What survives a crash. */
    static final class Disk {
        final ConcurrentSkipListMap<Long, byte[]> synced = new ConcurrentSkipListMap<>();
        final Map<Long, byte[]> snapshots = new ConcurrentHashMap<>();
        final Map<String, Long> values = new ConcurrentHashMap<>();
        volatile boolean failSyncs;
        volatile int opens;
    }

    private final Disk disk;
    private final TreeMap<Long, byte[]> unsynced = new TreeMap<>();
    private volatile boolean poisoned;

    MemoryStorage(Disk disk) {
        this.disk = disk;
        disk.opens++;
    }

    /** Drops everything not synced, as a kill -9 or a power cut would. */
    void crash() {
        unsynced.clear();
    }

    @Override
    public TxnLog log() {
        return log;
    }

    private final TxnLog log = new TxnLog() {
        @Override
        public synchronized void append(long zxid, ByteBuffer txn) throws IOException {
            if (poisoned) {
                throw new IOException("log poisoned");
            }
            if (zxid <= lastZxid()) {
                throw new IllegalArgumentException("zxid 0x" + Long.toHexString(zxid) + " not increasing");
            }
            byte[] b = new byte[txn.remaining()];
            txn.get(b);
            unsynced.put(zxid, b);
        }

        @Override
        public synchronized void sync() throws IOException {
            if (poisoned || disk.failSyncs) {
                poisoned = true;
                throw new IOException("EIO (injected)");
            }
            disk.synced.putAll(unsynced);
            unsynced.clear();
        }

        @Override
        public synchronized void truncateAfter(long zxid) {
            unsynced.clear();
            disk.synced.tailMap(zxid, false).clear();
        }

        @Override
        public TxnCursor readAfter(long afterZxid) {
            List<Map.Entry<Long, byte[]>> entries = new ArrayList<>(disk.synced.tailMap(afterZxid, false).entrySet());
            return new TxnCursor() {
                int i = -1;

                @Override
                public boolean next() {
                    return ++i < entries.size();
                }

                @Override
                public long zxid() {
                    return entries.get(i).getKey();
                }

                @Override
                public ByteBuffer txn() {
                    return ByteBuffer.wrap(entries.get(i).getValue());
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public synchronized long lastZxid() {
            if (!unsynced.isEmpty()) {
                return unsynced.lastKey();
            }
            return disk.synced.isEmpty() ? 0 : disk.synced.lastKey();
        }

        @Override
        public void purgeUpTo(long zxid) {
            disk.synced.headMap(zxid, true).clear();
        }
    };

    @Override
    public SnapshotStore snapshots() {
        return new SnapshotStore() {
            @Override
            public SnapshotWriter begin(long zxid) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                return new SnapshotWriter() {
                    @Override
                    public OutputStream stream() {
                        return out;
                    }

                    @Override
                    public void commit() {
                        disk.snapshots.put(zxid, out.toByteArray());
                    }

                    @Override
                    public void close() {}
                };
            }

            @Override
            public List<Long> list() {
                List<Long> zxids = new ArrayList<>(disk.snapshots.keySet());
                zxids.sort(Comparator.reverseOrder());
                return zxids;
            }

            @Override
            public Optional<SnapshotReader> openLatest() {
                List<Long> zxids = list();
                return zxids.isEmpty() ? Optional.empty() : open(zxids.get(0));
            }

            @Override
            public Optional<SnapshotReader> open(long z) {
                byte[] bytes = disk.snapshots.get(z);
                if (bytes == null) {
                    return Optional.empty();
                }
                InputStream in = new ByteArrayInputStream(bytes);
                return Optional.of(new SnapshotReader() {
                    @Override
                    public long zxid() {
                        return z;
                    }

                    @Override
                    public InputStream stream() {
                        return in;
                    }

                    @Override
                    public void close() {}
                });
            }

            @Override
            public void retainNewest(int retain) {
                List<Long> zxids = list();
                for (int i = retain; i < zxids.size(); i++) {
                    disk.snapshots.remove(zxids.get(i));
                }
            }
        };
    }

    @Override
    public DurableValues values() {
        return new DurableValues() {
            @Override
            public OptionalLong get(String name) {
                Long v = disk.values.get(name);
                return v == null ? OptionalLong.empty() : OptionalLong.of(v);
            }

            @Override
            public void put(String name, long value) {
                disk.values.put(name, value);
            }
        };
    }

    @Override
    public void close() {}
}
