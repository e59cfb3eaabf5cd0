/**
 * The running ZAB peer for {@code distro}: {@link io.paddock.zab.replicator.ZabReplicator}, the
 * {@link io.paddock.api.replication.Replicator} of an ensemble member, configured by {@link io.paddock.zab.ZabConfig}
 * and {@link io.paddock.zab.ZabPeerSettings}.
 *
 * <p>A package of its own (not {@code io.paddock.zab}) because the driver behind it ({@code io.paddock.zab.internal})
 * and the cores ({@code io.paddock.zab.core}) depend on {@code io.paddock.zab}'s config types; an entry point in that
 * package would close a package cycle, which the architecture tests forbid.
 */
package io.paddock.zab.replicator;
