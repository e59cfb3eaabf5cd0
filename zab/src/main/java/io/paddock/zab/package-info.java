/**
 * ZAB as {@code distro} configures it. Today only {@link io.paddock.zab.ZabConfig}; the driver that runs the cores
 * over peer links and storage (and implements {@link io.paddock.api.replication.Replicator}) lands here next.
 *
 * <p>The protocol itself lives in {@code io.paddock.zab.core}: a leader core and a learner core, each a plain object
 * that takes events and returns actions, stepped by a driver thread in production and by the deterministic simulator
 * ({@code sim/}) in tests. See {@code zab/README.md} for the protocol as implemented.
 */
package io.paddock.zab;
