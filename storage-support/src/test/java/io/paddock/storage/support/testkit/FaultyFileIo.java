package io.paddock.storage.support.testkit;

import io.paddock.storage.support.DirectoryLock;
import io.paddock.storage.support.FileHandle;
import io.paddock.storage.support.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link FileIo} over a real folder that remembers what is durable and can pull the plug (in the manner of LazyFS
 * and FoundationDB's AsyncFileNonDurable; RELIABILITY.md §5.4).
 *
 * <p>Reads and writes go to the real files, which play the page cache. Beside them it keeps, per file, the content as
 * of its last successful {@link FileHandle#force} plus the writes and truncations made since, and per folder the
 * entries as of its last {@link #syncDirectory}. {@link #crash} rewrites the folder from that: files whose entry was
 * never synced vanish, renames and deletes that were not synced are undone, and each file holds its forced content,
 * plus (in {@link Crash#KEEP_TORN_PREFIX}) a random prefix of the later writes in order, the last one cut at a
 * 512-byte sector boundary. Changes made through a mapping are durable only once forced and are dropped whole.
 *
 * <p>{@link #lock} takes the real OS lock ({@link DirectoryLock}); {@link #crash} releases every lock taken through
 * this instance, as the OS does for a process that dies. Lock files are not part of the durable model.
 *
 * <p>Faults: {@link #failWritesAfter} (EIO on write), {@link #failForcesAfter} (EIO on fsync of a file or folder;
 * the unsynced writes are then lost for good, as Linux drops dirty pages after a failed writeback),
 * {@link #limitSpace} (ENOSPC: a write that does not fit writes what fits, then fails). {@link #heal} clears them.
 *
 * <p>Simplifications: folders, once created, are durable; a file's size change is durable with its data
 * ({@code fdatasync} semantics for both kinds of force). One JVM, one instance per folder tree; every method is
 * synchronized on the instance. Memory: each file's durable content is held in memory; meant for small test data.
 */
public final class FaultyFileIo implements FileIo {

    /** What survives a crash of the unsynced writes. */
    public enum Crash {
        /** Nothing that was not forced. */
        DROP_UNSYNCED,
        /** A random prefix of each file's unsynced writes, in order, the last one torn at a sector boundary. */
        KEEP_TORN_PREFIX
    }

    private static final int SECTOR = 512;

    private final Path root;
    private final Random random;
    private final Map<Path, Inode> live = new HashMap<>();
    private final Map<Path, Inode> durable = new HashMap<>();
    private final List<Handle> open = new ArrayList<>();
    private final List<DirectoryLock> locks = new ArrayList<>();
    private int generation;
    private long writesLeft = -1;
    private long forcesLeft = -1;
    private long spaceLimit = Long.MAX_VALUE;
    private long writes;
    private long forces;
    private long crashes;

    /**
     * Takes every file already under {@code root} as durable.
     *
     * @param seed decides the torn prefixes of {@link Crash#KEEP_TORN_PREFIX}
     */
    public FaultyFileIo(Path root, long seed) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.random = new Random(seed);
        Files.createDirectories(this.root);
        try (Stream<Path> files = Files.walk(this.root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                // a lock file is no data, and reading it would drop this JVM's lock on it (POSIX)
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(DirectoryLock.FILE_NAME)) {
                    Inode inode = new Inode(Files.readAllBytes(p));
                    live.put(p, inode);
                    durable.put(p, inode);
                }
            }
        }
    }

    /** After {@code okWrites} more successful writes, every write fails with EIO until {@link #heal}. */
    public synchronized void failWritesAfter(long okWrites) {
        writesLeft = okWrites;
    }

    /** After {@code okForces} more successful fsyncs (files and folders), every fsync fails until {@link #heal}. */
    public synchronized void failForcesAfter(long okForces) {
        forcesLeft = okForces;
    }

    /** Writes that would take the files under the root past {@code bytes} in total fail with ENOSPC. */
    public synchronized void limitSpace(long bytes) {
        spaceLimit = bytes;
    }

    /** Clears every injected fault. */
    public synchronized void heal() {
        writesLeft = -1;
        forcesLeft = -1;
        spaceLimit = Long.MAX_VALUE;
    }

    /** Bytes held by the live files under the root. */
    public synchronized long bytesUsed() {
        long used = 0;
        for (Inode inode : live.values()) {
            used += inode.liveSize;
        }
        return used;
    }

    public synchronized long writes() {
        return writes;
    }

    public synchronized long forces() {
        return forces;
    }

    public synchronized long crashes() {
        return crashes;
    }

    /**
     * Pulls the plug: every handle opened before stops working, every lock taken through this instance is released
     * (the process died), and the folder tree is rewritten to what the disk would hold (see the class comment).
     * Faults are healed; the instance is ready to open the storage again.
     */
    public synchronized void crash(Crash mode) throws IOException {
        crashes++;
        generation++;
        for (Handle h : open) {
            h.channel.close();
        }
        open.clear();
        for (DirectoryLock lock : locks) {
            lock.close();
        }
        locks.clear();
        Set<Path> paths = new HashSet<>(live.keySet());
        paths.addAll(durable.keySet());
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
        Map<Inode, byte[]> survived = new HashMap<>();
        Map<Path, Inode> after = new HashMap<>();
        for (Map.Entry<Path, Inode> e : durable.entrySet()) {
            Inode inode = e.getValue();
            byte[] content = survived.computeIfAbsent(inode, i -> i.afterCrash(mode, random));
            Files.createDirectories(e.getKey().getParent());
            Files.write(e.getKey(), content);
            after.put(e.getKey(), new Inode(content));
        }
        live.clear();
        live.putAll(after);
        durable.clear();
        durable.putAll(after);
        heal();
    }

    private Path check(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException(p + " is outside " + root);
        }
        return p;
    }

    @Override
    public synchronized FileHandle openRead(Path file) throws IOException {
        return openExisting(file, StandardOpenOption.READ);
    }

    @Override
    public synchronized FileHandle openWrite(Path file) throws IOException {
        return openExisting(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private FileHandle openExisting(Path file, StandardOpenOption... options) throws IOException {
        Path p = check(file);
        Inode inode = live.get(p);
        if (inode == null) {
            throw new NoSuchFileException(p.toString());
        }
        return register(new Handle(p, inode, FileChannel.open(p, options)));
    }

    @Override
    public synchronized FileHandle create(Path file) throws IOException {
        Path p = check(file);
        if (live.containsKey(p) || Files.exists(p)) {
            throw new FileAlreadyExistsException(p.toString());
        }
        FileChannel channel = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Inode inode = new Inode(new byte[0]);
        live.put(p, inode);
        return register(new Handle(p, inode, channel));
    }

    private Handle register(Handle h) {
        open.add(h);
        return h;
    }

    @Override
    public synchronized List<String> list(Path dir) throws IOException {
        Path d = check(dir);
        try (Stream<Path> entries = Files.list(d)) {
            List<String> names = new ArrayList<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        }
    }

    @Override
    public synchronized boolean exists(Path path) {
        Path p = check(path);
        return live.containsKey(p) || Files.isDirectory(p);
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        Files.createDirectories(check(dir));
    }

    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        Path a = check(from);
        Path b = check(to);
        Inode inode = live.get(a);
        if (inode == null) {
            throw new NoSuchFileException(a.toString());
        }
        Files.move(a, b, StandardCopyOption.ATOMIC_MOVE);
        live.remove(a);
        live.put(b, inode);
    }

    @Override
    public synchronized void delete(Path file) throws IOException {
        Path p = check(file);
        Files.deleteIfExists(p);
        live.remove(p);
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        Path d = check(dir);
        forceFault("fsync directory " + d);
        durable.keySet().removeIf(p -> d.equals(p.getParent()));
        live.forEach((p, inode) -> {
            if (d.equals(p.getParent())) {
                durable.put(p, inode);
            }
        });
    }

    /** The real lock, as {@link FileIo#system()} takes it; released by {@link #crash} too. */
    @Override
    public synchronized DirectoryLock lock(Path dir, String role) throws IOException {
        DirectoryLock lock = DirectoryLock.acquire(check(dir), role);
        locks.removeIf(l -> !l.isHeld());
        locks.add(lock);
        return lock;
    }

    private void forceFault(String what) throws IOException {
        forces++;
        if (forcesLeft == 0) {
            throw new IOException("injected EIO: " + what);
        }
        if (forcesLeft > 0) {
            forcesLeft--;
        }
    }

    /** One file's durable content and what was done to it since. */
    private static final class Inode {
        private byte[] durableBytes;
        private final List<Object> pending = new ArrayList<>();
        private boolean mapped;
        private long liveSize;

        Inode(byte[] content) {
            this.durableBytes = content;
            this.liveSize = content.length;
        }

        void forced(FileChannel channel) throws IOException {
            if (mapped) {
                durableBytes = readAll(channel);
            } else {
                byte[] content = durableBytes;
                for (Object op : pending) {
                    content = apply(content, op, Integer.MAX_VALUE);
                }
                durableBytes = content;
            }
            pending.clear();
        }

        byte[] afterCrash(Crash mode, Random random) {
            byte[] content = durableBytes;
            if (mode == Crash.KEEP_TORN_PREFIX && !mapped && !pending.isEmpty()) {
                int kept = random.nextInt(pending.size() + 1);
                for (int i = 0; i < kept; i++) {
                    content = apply(content, pending.get(i), Integer.MAX_VALUE);
                }
                if (kept < pending.size() && pending.get(kept) instanceof Write w) {
                    int sectors = random.nextInt(w.data.length / SECTOR + 1);
                    content = apply(content, w, sectors * SECTOR);
                }
            }
            return content;
        }

        private static byte[] apply(byte[] content, Object op, int writeBytesMax) {
            if (op instanceof Truncate t) {
                return t.size < content.length ? Arrays.copyOf(content, (int) t.size) : content;
            }
            Write w = (Write) op;
            int n = Math.min(w.data.length, writeBytesMax);
            if (n == 0) {
                return content;
            }
            int end = (int) w.position + n;
            byte[] out = end > content.length ? Arrays.copyOf(content, end) : content;
            System.arraycopy(w.data, 0, out, (int) w.position, n);
            return out;
        }

        private static byte[] readAll(FileChannel channel) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(channel.size()));
            while (b.hasRemaining() && channel.read(b, b.position()) >= 0) {
                // keep reading
            }
            return b.array();
        }
    }

    private record Write(long position, byte[] data) {}

    private record Truncate(long size) {}

    private final class Handle implements FileHandle {
        private final Path path;
        private final Inode inode;
        private final FileChannel channel;
        private final int openedIn;

        Handle(Path path, Inode inode, FileChannel channel) {
            this.path = path;
            this.inode = inode;
            this.channel = channel;
            this.openedIn = generation;
        }

        private void alive() throws IOException {
            if (openedIn != generation) {
                throw new IOException(path + ": handle opened before the simulated power loss");
            }
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultyFileIo.this) {
                alive();
                return channel.size();
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (FaultyFileIo.this) {
                alive();
                return channel.read(dst, position);
            }
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            synchronized (FaultyFileIo.this) {
                alive();
                writes++;
                if (writesLeft == 0) {
                    throw new IOException("injected EIO: write at " + position + " of " + path);
                }
                if (writesLeft > 0) {
                    writesLeft--;
                }
                int length = src.remaining();
                long used = bytesUsed();
                long growth = Math.max(0, position + length - inode.liveSize);
                int fits = length;
                if (used + growth > spaceLimit) {
                    long allowedEnd = inode.liveSize + Math.max(0, spaceLimit - used);
                    fits = (int) Math.max(0, Math.min(length, allowedEnd - position));
                }
                byte[] data = new byte[fits];
                src.get(data);
                ByteBuffer b = ByteBuffer.wrap(data);
                long at = position;
                while (b.hasRemaining()) {
                    at += channel.write(b, at);
                }
                if (fits > 0) {
                    inode.pending.add(new Write(position, data));
                    inode.liveSize = Math.max(inode.liveSize, position + fits);
                }
                if (fits < length) {
                    throw new IOException("No space left on device (injected): write at " + position + " of " + path);
                }
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (FaultyFileIo.this) {
                alive();
                if (size < channel.size()) {
                    channel.truncate(size);
                    inode.pending.add(new Truncate(size));
                    inode.liveSize = size;
                }
            }
        }

        @Override
        public void force(boolean metadata) throws IOException {
            synchronized (FaultyFileIo.this) {
                alive();
                try {
                    forceFault((metadata ? "fsync " : "fdatasync ") + path);
                } catch (IOException e) {
                    inode.pending.clear();
                    throw e;
                }
                inode.forced(channel);
            }
        }

        @Override
        public MappedByteBuffer map(FileChannel.MapMode mode, long position, long size) throws IOException {
            synchronized (FaultyFileIo.this) {
                alive();
                if (mode != FileChannel.MapMode.READ_ONLY) {
                    inode.mapped = true;
                    inode.liveSize = Math.max(inode.liveSize, position + size);
                }
                return channel.map(mode, position, size);
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (FaultyFileIo.this) {
                open.remove(this);
                channel.close();
            }
        }
    }
}
