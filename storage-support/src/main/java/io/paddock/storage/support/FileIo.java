package io.paddock.storage.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file system as the storage engines use it: every durable byte and every directory entry goes through here, so a
 * test can swap in an implementation that loses what was not synced (power loss), tears writes, fails with EIO or
 * runs out of space.
 *
 * <p>Durability rules the engines follow, and test implementations enforce:
 * <ul>
 *   <li>written bytes are durable only after {@link FileHandle#force} on a handle of that file;</li>
 *   <li>a created, renamed or deleted directory entry is durable only after {@link #syncDirectory} of its
 *       directory.</li>
 * </ul>
 *
 * <p>Every {@link IOException} names the file or directory it is about.
 */
public interface FileIo {

    /** The real file system ({@code FileChannel}, {@code Files}); stateless and thread-safe. */
    static FileIo system() {
        return SystemFileIo.INSTANCE;
    }

    /** Opens an existing file for reading. */
    FileHandle openRead(Path file) throws IOException;

    /** Opens an existing file for reading and writing. */
    FileHandle openWrite(Path file) throws IOException;

    /** Creates a new, empty file for reading and writing; fails if it exists. The entry is not yet durable. */
    FileHandle create(Path file) throws IOException;

    /** Names of the entries of {@code dir}, sorted. */
    List<String> list(Path dir) throws IOException;

    boolean exists(Path path) throws IOException;

    /** Creates {@code dir} and any missing parents, and syncs each parent whose entries changed. */
    void createDirectories(Path dir) throws IOException;

    /** Atomically renames {@code from} to {@code to}, replacing {@code to} if it exists. Not durable until the directory is synced. */
    void rename(Path from, Path to) throws IOException;

    /** Deletes a file if it exists. Not durable until the directory is synced. */
    void delete(Path file) throws IOException;

    /** Makes the entries of {@code dir} durable (fsync of the directory). */
    void syncDirectory(Path dir) throws IOException;

    /**
     * Takes the exclusive lock of an existing folder ({@link DirectoryLock}), or fails at once with an
     * {@code IOException} naming it (and the holder's pid when known). Held until closed, or until the process ends.
     *
     * @param role what the folder is, for the message: {@code "dataDir"}, {@code "dataLogDir"}
     */
    DirectoryLock lock(Path dir, String role) throws IOException;
}
