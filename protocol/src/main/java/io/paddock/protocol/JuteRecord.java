package io.paddock.protocol;

/**
 * A jute record: its fields in declaration order, no tags or lengths. Each implementation also has a static
 * {@code read(JuteInput)} that decodes exactly what {@link #write} encodes.
 */
public interface JuteRecord {
    void write(JuteOutput out);
}
