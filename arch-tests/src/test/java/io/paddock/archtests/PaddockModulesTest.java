package io.paddock.archtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The module map the layering rules rely on. */
class PaddockModulesTest {

    @Test
    void packagesMapToTheirModule() {
        assertEquals(Optional.of("io.paddock.api"), PaddockModules.moduleOf("io.paddock.api.transport"));
        assertEquals(Optional.of("io.paddock.server"), PaddockModules.moduleOf("io.paddock.server.tree"));
        assertEquals(Optional.of("io.paddock.transport.nio"),
                PaddockModules.moduleOf("io.paddock.transport.nio.internal"));
        assertEquals(Optional.of("io.paddock.election.fle"), PaddockModules.moduleOf("io.paddock.election.fle.core"));
        assertEquals(Optional.empty(), PaddockModules.moduleOf("io.paddock.serverx"));
        assertEquals(Optional.empty(), PaddockModules.moduleOf("io.paddock.transport"));
        assertEquals(Optional.empty(), PaddockModules.moduleOf("io.paddock"));
    }

    @Test
    void arrowsFollowArchitectureMd() {
        assertTrue(PaddockModules.mayUse("io.paddock.server", "io.paddock.protocol"));
        assertTrue(PaddockModules.mayUse("io.paddock.transport.nio", "io.paddock.api"));
        assertTrue(PaddockModules.mayUse("io.paddock.distro", "io.paddock.server"));
        assertFalse(PaddockModules.mayUse("io.paddock.api", "io.paddock.protocol"));
        assertFalse(PaddockModules.mayUse("io.paddock.protocol", "io.paddock.server"));
        assertFalse(PaddockModules.mayUse("io.paddock.server", "io.paddock.zab"));
        assertFalse(PaddockModules.mayUse("io.paddock.zab", "io.paddock.server"));
        assertFalse(PaddockModules.mayUse("io.paddock.zab", "io.paddock.protocol"));
        assertFalse(PaddockModules.mayUse("io.paddock.transport.netty", "io.paddock.transport.nio"));
        assertFalse(PaddockModules.mayUse("io.paddock.auth.digest", "io.paddock.server"));
        assertFalse(PaddockModules.mayUse("io.paddock.distro", "io.paddock.transport.nio"));
    }

    @Test
    void storageSupportIsALibraryOnlyStoragePluginsMayUse() {
        assertEquals(Optional.of("io.paddock.storage.support"), PaddockModules.moduleOf("io.paddock.storage.support"));
        assertFalse(PaddockModules.isPlugin("io.paddock.storage.support"));
        assertTrue(PaddockModules.isPlugin("io.paddock.storage.file"));
        assertTrue(PaddockModules.mayUse("io.paddock.storage.file", "io.paddock.storage.support"));
        assertTrue(PaddockModules.mayUse("io.paddock.storage.mmap", "io.paddock.storage.support"));
        assertTrue(PaddockModules.mayUse("io.paddock.storage.support", "io.paddock.api"));
        assertFalse(PaddockModules.mayUse("io.paddock.storage.support", "io.paddock.storage.file"));
        assertFalse(PaddockModules.mayUse("io.paddock.storage.support", "io.paddock.server"));
        assertFalse(PaddockModules.mayUse("io.paddock.auth.digest", "io.paddock.storage.support"));
        assertFalse(PaddockModules.mayUse("io.paddock.server", "io.paddock.storage.support"));
        assertFalse(PaddockModules.mayUse("io.paddock.distro", "io.paddock.storage.support"));
        assertFalse(PaddockModules.mayUse("io.paddock.storage.file", "io.paddock.storage.mmap"));
    }
}
