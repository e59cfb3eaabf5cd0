package io.paddock.storage.support;

import io.paddock.api.storage.DurableValues;
import io.paddock.api.storage.StorageCorruptException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One 20-byte file per name in one folder (format in README "Durable value file"), such as {@code acceptedEpoch}
 * and {@code currentEpoch}.
 *
 * <p>{@link #put} writes {@code <name>.tmp}, fsyncs it, renames it over {@code <name>} and fsyncs the folder, so a
 * crash at any moment leaves the old or the new value (ZOOKEEPER-2307/2354, ClickHouse #113654). The file carries a
 * checksum: a damaged {@code <name>} is a {@link StorageCorruptException}, never a missing or made-up value. A torn
 * temp file is never read. Thread-safe.
 */
public final class FileDurableValues implements DurableValues {
    static final int MAGIC = 0x5044564C; // "PDVL"
    static final int VERSION = 1;
    static final int FILE_BYTES = 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

    private final FileIo io;
    private final Path dir;

    /** Over an existing folder; does no I/O. */
    public FileDurableValues(FileIo io, Path dir) {
        this.io = Objects.requireNonNull(io, "io");
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    @Override
    public synchronized OptionalLong get(String name) throws IOException {
        Path file = dir.resolve(checkName(name));
        if (!io.exists(file)) {
            return OptionalLong.empty();
        }
        ByteBuffer b = ByteBuffer.allocate(FILE_BYTES);
        try (FileHandle h = io.openRead(file)) {
            long size = h.size();
            if (size != FILE_BYTES) {
                throw new StorageCorruptException(file + ": " + size + " bytes, a value file has " + FILE_BYTES);
            }
            h.readFully(b, 0);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        if (b.getInt(16) != Checksums.crc32c(b.array(), 0, 16) || b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
            throw new StorageCorruptException(file + ": damaged value file (checksum, magic or version mismatch)");
        }
        return OptionalLong.of(b.getLong(8));
    }

    @Override
    public synchronized void put(String name, long value) throws IOException {
        Path file = dir.resolve(checkName(name));
        Path temp = dir.resolve(name + FileNames.TEMP_SUFFIX);
        io.delete(temp);
        try (FileHandle h = io.create(temp)) {
            h.write(encode(value), 0);
            h.force(true);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw e;
        }
        io.rename(temp, file);
        io.syncDirectory(dir);
    }

    static ByteBuffer encode(long value) {
        ByteBuffer b = ByteBuffer.allocate(FILE_BYTES);
        b.putInt(MAGIC).putInt(VERSION).putLong(value);
        b.putInt(Checksums.crc32c(b.array(), 0, 16));
        return b.flip();
    }

    private void deleteQuietly(Path temp) {
        try {
            io.delete(temp);
        } catch (IOException e) {
            // a leftover temp file is never read; the next put deletes it
        }
    }

    private static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad value name '" + name + "': use a letter, then letters, digits,"
                    + " '_' or '-', at most 64 characters");
        }
        return name;
    }
}
