package io.paddock.storage.support;

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
import java.util.List;
import java.util.stream.Stream;

/** {@link FileIo} over {@link FileChannel} and {@link Files}; adds the path to exceptions that lack it. */
final class SystemFileIo implements FileIo {
    static final SystemFileIo INSTANCE = new SystemFileIo();

    private SystemFileIo() {}

    @Override
    public FileHandle openRead(Path file) throws IOException {
        try {
            return new Handle(file, FileChannel.open(file, StandardOpenOption.READ));
        } catch (IOException e) {
            throw named("open", file, e);
        }
    }

    @Override
    public FileHandle openWrite(Path file) throws IOException {
        try {
            return new Handle(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw named("open", file, e);
        }
    }

    @Override
    public FileHandle create(Path file) throws IOException {
        try {
            return new Handle(file, FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw named("create", file, e);
        }
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw named("list", dir, e);
        }
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw named("create directory", absolute, e);
            }
            return;
        } catch (IOException e) {
            throw named("create directory", absolute, e);
        }
        if (parent != null) {
            syncDirectory(parent);
        }
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        try {
            // rename(2): atomic, and it replaces an existing target
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("rename " + from + " -> " + to + " failed: " + e, e);
        }
    }

    @Override
    public void delete(Path file) throws IOException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw named("delete", file, e);
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw named("fsync directory", dir, e);
        }
    }

    @Override
    public DirectoryLock lock(Path dir, String role) throws IOException {
        return DirectoryLock.acquire(dir, role);
    }

    /** Keeps exceptions that already name the file (NoSuchFileException and the like); wraps the rest. */
    static IOException named(String operation, Path path, IOException e) {
        String message = e.getMessage();
        if (e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException
                || (message != null && message.contains(path.toString()))) {
            return e;
        }
        return new IOException(operation + " " + path + " failed: " + e, e);
    }

    private static final class Handle implements FileHandle {
        private final Path path;
        private final FileChannel channel;

        Handle(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public long size() throws IOException {
            try {
                return channel.size();
            } catch (IOException e) {
                throw named("size of", path, e);
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            try {
                return channel.read(dst, position);
            } catch (IOException e) {
                throw named("read at " + position + " of", path, e);
            }
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            long at = position;
            try {
                while (src.hasRemaining()) {
                    at += channel.write(src, at);
                }
            } catch (IOException e) {
                throw named("write at " + at + " of", path, e);
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            try {
                channel.truncate(size);
            } catch (IOException e) {
                throw named("truncate to " + size + " of", path, e);
            }
        }

        @Override
        public void force(boolean metadata) throws IOException {
            try {
                channel.force(metadata);
            } catch (IOException e) {
                throw named(metadata ? "fsync" : "fdatasync", path, e);
            }
        }

        @Override
        public MappedByteBuffer map(FileChannel.MapMode mode, long position, long size) throws IOException {
            try {
                return channel.map(mode, position, size);
            } catch (IOException e) {
                throw named("map", path, e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } catch (IOException e) {
                throw named("close", path, e);
            }
        }
    }
}
