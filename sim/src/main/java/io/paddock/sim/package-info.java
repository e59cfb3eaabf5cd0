/**
 * A deterministic simulator for the ZAB cores (FoundationDB / TigerBeetle style): N peers, each with a leader or
 * learner core, an in-memory state machine and an in-memory storage that loses its unsynced tail on a crash; an
 * in-memory network of ordered links (delay, stall under partition, one-way loss, resets, and optionally TCP-breaking
 * chaos: silent drop, duplicate, reorder); a simulated tick clock; crash and restart; and one seeded
 * {@link java.util.Random} behind every choice. {@link io.paddock.sim.Invariants} are checked after every step; a
 * failure throws {@link io.paddock.sim.SimulationFailure} naming the seed, which replays exactly.
 */
package io.paddock.sim;
