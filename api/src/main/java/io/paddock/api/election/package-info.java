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
 *
 * <p>{@link io.paddock.api.election.ElectionProvider#start} builds the running form, an
 * {@link io.paddock.api.election.ElectionService}: the plugin's own links (over an api
 * {@link io.paddock.api.transport.Transport}) and election thread around its core. Its promises:
 * <ul>
 *   <li>{@code lookForLeader} runs one look at a time; its future completes once, with the decision (on the election
 *       thread, so callers hand slow work to their own thread), or exceptionally with
 *       {@link java.lang.IllegalStateException} on a second concurrent look, an epoch that went back, a log epoch
 *       above the current epoch, or close. Cancelling it abandons the look.</li>
 *   <li>After a decision the service keeps answering LOOKING peers with the decided vote, so late joiners learn the
 *       leader, until the next look.</li>
 *   <li>Links are authenticated by sid against the configured peers; a link naming an unknown sid or sending
 *       malformed bytes is dropped and never reaches the core.</li>
 *   <li>Every queue inside is bounded; the service never blocks the caller of {@code lookForLeader}.</li>
 *   <li>{@code close} is idempotent, stops its threads and closes its listener and links, but not the transport.</li>
 * </ul>
 */
package io.paddock.api.election;
