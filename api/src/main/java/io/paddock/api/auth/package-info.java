/**
 * ACL scheme SPI.
 *
 * <p>Implemented by auth plugins ({@code auth-digest}, {@code auth-ip}) and by third-party jars dropped into the
 * plugins folder; each exposes one {@link io.paddock.api.auth.AuthProvider} whose {@code name()} is the scheme.
 * Called by the server: when a client sends an auth packet (authenticate), when a create or setACL names the scheme
 * (validate), and on every ACL check (matches). The built-in {@code world} and {@code auth} schemes live in the server
 * and are not providers.
 *
 * <p>Promises: the methods are pure and thread-safe (called from many connections at once) and do no blocking I/O;
 * a malformed id never throws, it is simply invalid and never matches.
 */
package io.paddock.api.auth;
