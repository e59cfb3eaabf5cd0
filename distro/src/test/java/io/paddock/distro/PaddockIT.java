package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the real server, exactly as the compatibility tests and the launcher do, on loopback port 0. */
class PaddockIT {

    @TempDir
    Path tmp;

    private Map<String, String> cfg(String... extra) {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("clientPort", "0");
        cfg.put("clientPortAddress", "127.0.0.1");
        cfg.put("dataDir", tmp.resolve("data").toString());
        cfg.put("4lw.commands.whitelist", "ruok,conf");
        for (int i = 0; i < extra.length; i += 2) {
            cfg.put(extra[i], extra[i + 1]);
        }
        return cfg;
    }

    private static String fourLetterWord(InetSocketAddress address, String word) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void portZeroBindsAFreePortAndReportsIt() throws Exception {
        try (Paddock paddock = Paddock.start(cfg())) {
            InetSocketAddress address = paddock.clientAddress();
            assertNotEquals(0, address.getPort());
            assertTrue(address.getAddress().isLoopbackAddress(), address.toString());
            assertEquals("imok", fourLetterWord(address, "ruok"));
        }
    }

    @Test
    void confShowsTheParsedSettings() throws Exception {
        try (Paddock paddock = Paddock.start(cfg("tickTime", "1000", "maxClientCnxns", "7"))) {
            String conf = fourLetterWord(paddock.clientAddress(), "conf");
            assertTrue(conf.contains("tickTime=1000"), conf);
            assertTrue(conf.contains("maxClientCnxns=7"), conf);
            assertTrue(conf.contains("minSessionTimeout=2000"), conf);
            assertTrue(conf.contains("maxSessionTimeout=20000"), conf);
        }
    }

    @Test
    void closeIsIdempotentAndReleasesThePort() throws Exception {
        Paddock paddock = Paddock.start(cfg());
        InetSocketAddress address = paddock.clientAddress();
        paddock.close();
        paddock.close();
        assertThrows(IOException.class, () -> fourLetterWord(address, "ruok"));
        // the same port can be bound again at once
        try (Paddock again = Paddock.start(cfg("clientPort", Integer.toString(address.getPort())))) {
            assertEquals(address.getPort(), again.clientAddress().getPort());
        }
    }

    @Test
    void portInUseFailsWithTheAddressAndLeavesNothingRunning() {
        try (Paddock first = Paddock.start(cfg())) {
            String port = Integer.toString(first.clientAddress().getPort());
            // its own dataDir: storage refuses a folder another open storage holds, before any port is bound
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Paddock.start(cfg("clientPort",
                    port, "dataDir", tmp.resolve("second").toString())));
            assertTrue(e.getMessage().contains(port), e.getMessage());
        }
    }

    @Test
    void aDataDirInUseIsReportedAsInUseNotAsUnrecoverable() throws Exception {
        try (Paddock first = Paddock.start(cfg())) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Paddock.start(cfg()));
            assertTrue(e.getMessage().contains("in use by another server"), e.getMessage());
            assertTrue(e.getMessage().contains(tmp.resolve("data").toAbsolutePath().toString()), e.getMessage());
            assertFalse(e.getMessage().contains("Cannot recover"), e.getMessage());
            // the first server still serves
            assertEquals("imok", fourLetterWord(first.clientAddress(), "ruok"));
        }
    }

    @Test
    void theToolsCopyOfARunningServersDataLeavesTheLockFileOut() throws Exception {
        Path data = tmp.resolve("data");
        try (Paddock paddock = Paddock.start(cfg())) {
            assertTrue(Files.exists(data.resolve(PaddockTools.STORAGE_LOCK_FILE)), "the storage locks its folder");
            Path copy = tmp.resolve("copy");
            PaddockTools.Workspace.copyTree(data, copy);
            assertFalse(Files.exists(copy.resolve(PaddockTools.STORAGE_LOCK_FILE)));
            assertTrue(Files.isDirectory(copy.resolve("version-2")), "the rest is copied");
            assertEquals("imok", fourLetterWord(paddock.clientAddress(), "ruok"));
        }
    }

    @Test
    void startsFromAZooCfgFile() throws Exception {
        Path file = tmp.resolve("zoo.cfg");
        StringBuilder text = new StringBuilder("# a comment, as in ZooKeeper's sample\n");
        cfg().forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        try (Paddock paddock = Paddock.start(file)) {
            assertEquals("imok", fourLetterWord(paddock.clientAddress(), "ruok"));
        }
    }

    @Test
    void missingZooCfgFileIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> Paddock.start(tmp.resolve("nope.cfg")));
        assertTrue(e.getMessage().contains("nope.cfg"), e.getMessage());
    }

    @Test
    void missingTransportListsTheInstalledOnes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Paddock.start(cfg("transport", "carrier-pigeon")));
        assertTrue(e.getMessage().contains("Available: netty, nio"), e.getMessage());
    }

    @Test
    void namedStorageMustBeInstalled() {
        ConfigException e = assertThrows(ConfigException.class, () -> Paddock.start(cfg("storage", "tape")));
        assertTrue(e.getMessage().contains("No storage provider named 'tape'"), e.getMessage());
    }

    @Test
    void namedAuthSchemeMustBeInstalled() {
        ConfigException e = assertThrows(ConfigException.class, () -> Paddock.start(cfg("auth", "kerberos")));
        assertTrue(e.getMessage().contains("No auth provider named 'kerberos'"), e.getMessage());
    }
}
