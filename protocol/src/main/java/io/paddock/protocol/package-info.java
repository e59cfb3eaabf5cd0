/**
 * The ZooKeeper client wire format (WIRE-PROTOCOL.md §1-7): {@link io.paddock.protocol.JuteInput} and
 * {@link io.paddock.protocol.JuteOutput} for jute's binary encoding, one Java record per jute record with a static
 * {@code read(JuteInput)} and a {@code write(JuteOutput)}, and the constants: {@link io.paddock.protocol.OpCode},
 * {@link io.paddock.protocol.ErrorCode}, {@link io.paddock.protocol.EventType}, {@link io.paddock.protocol.Xids}.
 * Pure code: no I/O, no threads.
 */
package io.paddock.protocol;
