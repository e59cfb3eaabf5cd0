/**
 * Time as an injected dependency. Implemented by {@code distro} (the system clock) and by tests (a clock they step);
 * called by every component that needs wall time (znode ctime/mtime) or elapsed time (session expiry, timeouts).
 * Nothing outside {@code distro} reads the system clock itself, so every time-dependent path can be driven by a test.
 */
package io.paddock.api.time;
