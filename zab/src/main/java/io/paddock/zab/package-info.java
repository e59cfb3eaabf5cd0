/**
 * ZAB as {@code distro} configures and starts it: {@link io.paddock.zab.ZabConfig} (the ensemble and the protocol's
 * limits), and {@link io.paddock.zab.ZabPeerSettings} (addresses and ticks). The running peer is
 * {@code io.paddock.zab.replicator.ZabReplicator}, which runs the cores over peer links, the storage SPI and an
 * {@link io.paddock.api.election.ElectionService} (driver in {@code io.paddock.zab.internal}).
 *
 * <p>The protocol itself lives in {@code io.paddock.zab.core}: a leader core and a learner core, each a plain object
 * that takes events and returns actions, stepped by a driver thread in production and by the deterministic simulator
 * ({@code sim/}) in tests. See {@code zab/README.md} for the protocol as implemented.
 */
package io.paddock.zab;
