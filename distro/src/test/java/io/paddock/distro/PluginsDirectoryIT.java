package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Id;
import io.paddock.api.auth.AuthProvider;
import io.paddock.api.auth.AuthScheme;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom auth scheme compiled here, jarred, and dropped into a plugins folder is found without a rebuild: the
 * promise ARCHITECTURE.md makes for installed distributions.
 */
class PluginsDirectoryIT {

    @TempDir
    Path tmp;

    @BeforeAll
    static void runsOnTheModulePath() {
        assertTrue(Plugins.class.getModule().isNamed(),
                "plugin layers need io.paddock.distro as a named module; run this test on the module path");
    }

    @Test
    void authSchemeJarInThePluginsFolderIsFoundAndWorks() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        buildAuthPlugin("com.example.rot13", "rot13", plugins.resolve("rot13.jar"));

        Plugins found = Plugins.discover(plugins);

        assertTrue(found.auth().names().contains("rot13"), found.auth().names().toString());
        assertEquals(List.of("com.example.rot13"), found.pluginModules());
        AuthScheme scheme = found.auth().select("rot13").create(Map.of("greeting", "hi"));
        assertEquals("rot13", scheme.scheme());
        assertEquals(List.of(new Id("rot13", "hi:nopqr")),
                scheme.authenticate(new InetSocketAddress(0), "abcde".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void twoPluginJarsWithTheSameSchemeNameFailStartUp() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        buildAuthPlugin("com.example.one", "same", plugins.resolve("one.jar"));
        buildAuthPlugin("com.example.two", "same", plugins.resolve("two.jar"));

        ConfigException e = assertThrows(ConfigException.class, () -> Plugins.discover(plugins));
        assertTrue(e.getMessage().contains("Two auth providers are named 'same'"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.one") && e.getMessage().contains("com.example.two"),
                e.getMessage());
    }

    @Test
    void twoCopiesOfOneModuleInThePluginsFolderFailWithTheFolderNamed() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        buildAuthPlugin("com.example.copy", "copy", plugins.resolve("copy-1.0.jar"));
        Files.copy(plugins.resolve("copy-1.0.jar"), plugins.resolve("copy-1.1.jar"));

        ConfigException e = assertThrows(ConfigException.class, () -> Plugins.discover(plugins));
        assertTrue(e.getMessage().contains(plugins.toString()), e.getMessage());
    }

    @Test
    void missingOrEmptyPluginsFolderIsNotAnError() throws Exception {
        assertEquals(List.of(), Plugins.discover(tmp.resolve("absent")).pluginModules());
        assertEquals(List.of(), Plugins.discover(Files.createDirectories(tmp.resolve("empty"))).pluginModules());
        assertEquals(List.of(), Plugins.discover(null).pluginModules());
    }

    /** Compiles and jars a one-class module that provides an {@link AuthProvider} named {@code scheme}. */
    private void buildAuthPlugin(String module, String scheme, Path jar) throws Exception {
        Path src = tmp.resolve("src-" + module);
        Path classes = tmp.resolve("classes-" + module);
        Path pkg = Files.createDirectories(src.resolve(module.replace('.', '/')));
        Files.writeString(src.resolve("module-info.java"), "module " + module + " {\n"
                + "    requires io.paddock.api;\n"
                + "    provides io.paddock.api.auth.AuthProvider with " + module + ".Provider;\n"
                + "}\n");
        Files.writeString(pkg.resolve("Provider.java"), "package " + module + ";\n"
                + "import io.paddock.api.Id;\n"
                + "import io.paddock.api.auth.*;\n"
                + "import java.net.InetSocketAddress;\n"
                + "import java.util.*;\n"
                + "public final class Provider implements AuthProvider {\n"
                + "  public String name() { return \"" + scheme + "\"; }\n"
                + "  public AuthScheme create(Map<String, String> settings) {\n"
                + "    String greeting = settings.getOrDefault(\"greeting\", \"\");\n"
                + "    return new AuthScheme() {\n"
                + "      public String scheme() { return \"" + scheme + "\"; }\n"
                + "      public List<Id> authenticate(InetSocketAddress remote, byte[] credentials) {\n"
                + "        StringBuilder b = new StringBuilder(greeting).append(':');\n"
                + "        for (byte c : credentials) b.append((char) ('a' + (c - 'a' + 13) % 26));\n"
                + "        return List.of(new Id(scheme(), b.toString()));\n"
                + "      }\n"
                + "      public boolean matches(String held, String aclId) { return held.equals(aclId); }\n"
                + "      public boolean isValid(String aclId) { return !aclId.isEmpty(); }\n"
                + "      public boolean isAuthenticated() { return true; }\n"
                + "    };\n"
                + "  }\n"
                + "}\n");
        Path api = Path.of(AuthProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        run("javac", "--module-path", api.toString(), "-d", classes.toString(),
                src.resolve("module-info.java").toString(), pkg.resolve("Provider.java").toString());
        run("jar", "--create", "--file", jar.toString(), "-C", classes.toString(), ".");
    }

    private static void run(String tool, String... args) {
        ToolProvider provider = ToolProvider.findFirst(tool)
                .orElseThrow(() -> new IllegalStateException(tool + " is not available: run the tests on a JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int rc = provider.run(print, print, args);
        assertEquals(0, rc, () -> tool + " " + new ArrayList<>(List.of(args)) + " failed:\n"
                + out.toString(StandardCharsets.UTF_8));
    }
}
