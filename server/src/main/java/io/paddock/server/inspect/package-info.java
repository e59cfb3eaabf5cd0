/**
 * Read-only views of what the server writes through the storage SPI, for tools ({@code paddock-tools dump-log},
 * {@code dump-snapshot}, {@code verify}): one readable line per logged txn, and a walk over a snapshot stream.
 *
 * <p>Everything here takes bytes or a stream and returns strings or plain value records; nothing exposes the data
 * tree, sessions or the txn types. The txn decoding is {@code TxnCodec}'s own; the snapshot format is parsed by
 * {@link io.paddock.server.inspect.SnapshotDecoder}, which mirrors the server's snapshot reader (a server test writes
 * a snapshot with the server and reads it back here, so the two cannot drift apart unnoticed).
 *
 * <p>Called by the distro's {@code PaddockTools}; it reads the files, this package only reads the bytes.
 */
package io.paddock.server.inspect;
