/** Composition root of Paddock. */
package io.paddock.distro;
