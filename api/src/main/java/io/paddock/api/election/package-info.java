/**
 * Leader election SPI.
 *
 * <p>Implemented by election plugins ({@code election-fle}), each exposing one
 * {@link io.paddock.api.election.ElectionProvider}. Called by the quorum driver (in {@code zab}'s shell, wired by
 * {@code distro}) whenever a peer starts looking for a leader.
 *
 * <p>An {@link io.paddock.api.election.Election} is a pure core: it takes
 * {@link io.paddock.api.election.ElectionEvent}s and returns {@link io.paddock.api.election.ElectionAction}s. It owns
 * no threads, sockets, clock or unseeded randomness; time reaches it only as ticks. The driver sends the messages it
 * asks for over peer links and feeds back what arrives, so the same core runs in a deterministic simulator.
 * Promises: once it returns {@link io.paddock.api.election.ElectionAction.Decided}, a quorum of voters has agreed on
 * that leader under the rules of the implementation, and the core ignores further events until restarted.
 */
package io.paddock.api.election;
