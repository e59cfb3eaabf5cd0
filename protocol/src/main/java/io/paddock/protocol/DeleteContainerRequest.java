package io.paddock.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Op 20, issued by the container reaper (§5.5). Declared as a {@code buffer} holding the path's UTF-8 bytes, which
 * is the same wire form as a ustring; it is written with the standard encoder because the field is a buffer, and
 * read with {@link JuteInput#readString()}, which accepts both encodings. Znode paths hold no supplementary
 * characters (§10.3), so the two encodings agree for every valid path.
 */
public record DeleteContainerRequest(String path) implements JuteRecord {
    public static DeleteContainerRequest read(JuteInput in) {
        return new DeleteContainerRequest(in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeBuffer(path == null ? null : path.getBytes(StandardCharsets.UTF_8));
    }
}
