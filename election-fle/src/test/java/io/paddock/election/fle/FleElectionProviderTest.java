package io.paddock.election.fle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.PeerId;
import io.paddock.api.election.Election;
import io.paddock.api.election.ElectionConfig;
import io.paddock.api.election.ElectionProvider;
import io.paddock.election.fle.core.FastLeaderElection;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The provider and the module descriptor. The tests run on the class path (see the pom), so the descriptor is read
 * from the compiled {@code module-info.class} instead of being exercised by the module system.
 */
class FleElectionProviderTest {

    @Test
    void theProviderIsNamedFleAndBuildsAnIdleCore() {
        ElectionProvider provider = new FleElectionProvider();
        assertEquals("fle", provider.name());
        Election core = provider.create(new ElectionConfig(new PeerId(1), Set.of(new PeerId(1), new PeerId(2),
                new PeerId(3)), Set.of(), 60));
        FastLeaderElection fle = assertInstanceOf(FastLeaderElection.class, core);
        assertEquals(FastLeaderElection.Phase.IDLE, fle.phase());
    }

    @Test
    void theModuleExportsNothingAndProvidesTheElectionProvider() throws Exception {
        Path classes = Path.of(FleElectionProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleReference ref = ModuleFinder.of(classes).find("io.paddock.election.fle").orElseThrow();
        ModuleDescriptor d = ref.descriptor();
        assertTrue(d.exports().isEmpty() && d.opens().isEmpty() && !d.isOpen(), d.toString());
        assertTrue(d.uses().isEmpty());
        assertEquals(1, d.provides().size());
        assertEquals(Set.of("io.paddock.api"), d.requires().stream().map(ModuleDescriptor.Requires::name)
                .filter(n -> n.startsWith("io.paddock")).collect(java.util.stream.Collectors.toSet()));
        ModuleDescriptor.Provides provides = d.provides().iterator().next();
        assertEquals("io.paddock.api.election.ElectionProvider", provides.service());
        assertEquals(List.of(FleElectionProvider.class.getName()), provides.providers());
        try (InputStream in = FleElectionProvider.class.getResourceAsStream(
                "/META-INF/services/io.paddock.api.election.ElectionProvider")) {
            String listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(FleElectionProvider.class.getName(), listed, "class-path users need the services file too");
        }
    }
}
