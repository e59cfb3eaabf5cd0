package io.paddock.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.RawClient;
import io.paddock.compat.fixture.ServerUnderTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Four-letter words with every command whitelisted (WIRE-PROTOCOL §9). */
class FourLetterWordIT {

    private static ServerUnderTest server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerUnderTest.start();
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(server);
    }

    /** Sends the 4 bytes on a fresh connection and reads the unframed answer up to the server's close. */
    static String fourLetterWord(int port, String word) throws IOException {
        try (RawClient c = RawClient.open(port)) {
            c.write(word.getBytes(StandardCharsets.US_ASCII));
            return new String(c.readToEnd(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void ruokAnswersImokWithoutANewline() throws Exception {
        assertEquals("imok", fourLetterWord(server.port(), "ruok"));
    }

    @Test
    void srvrReportsStandaloneModeAndTheZxidInHex() throws Exception {
        String answer = fourLetterWord(server.port(), "srvr");
        assertTrue(answer.startsWith("Zookeeper version: "), answer);
        assertTrue(answer.contains("\nMode: " + server.mode() + "\n"), answer);
        assertTrue(Pattern.compile("\nZxid: 0x[0-9a-f]+\n").matcher(answer).find(), answer);
        assertTrue(Pattern.compile("\nNode count: \\d+\n").matcher(answer).find(), answer);
        assertTrue(answer.contains("\nLatency min/avg/max: "), answer);
    }

    @Test
    void statListsClientsAndTheMode() throws Exception {
        String answer = fourLetterWord(server.port(), "stat");
        assertTrue(answer.startsWith("Zookeeper version: "), answer);
        assertTrue(answer.contains("\nClients:\n"), answer);
        assertTrue(answer.contains("\nMode: " + server.mode() + "\n"), answer);
    }

    @Test
    void isroAnswersRwOnAReadWriteServer() throws Exception {
        assertEquals("rw", fourLetterWord(server.port(), "isro"));
    }

    @Test
    void mntrReportsTabSeparatedMetricsStartingWithVersionAndState() throws Exception {
        String answer = fourLetterWord(server.port(), "mntr");
        String[] lines = answer.split("\n");
        assertTrue(lines[0].startsWith("zk_version\t"), answer);
        assertEquals("zk_server_state\t" + server.mode(), lines[1]);
        assertTrue(Pattern.compile("(?m)^zk_znode_count\t\\d+$").matcher(answer).find(), answer);
    }

    @Test
    void anUnknownWordIsJustAnOversizedLengthAndClosesWithoutAnAnswer() throws Exception {
        assertEquals("", fourLetterWord(server.port(), "abcd"));
    }

    @Test
    void aFourLetterWordAfterTheHandshakeIsNotRecognised() throws Exception {
        try (RawClient c = RawClient.session(server.port(), 2_000)) {
            c.write("ruok".getBytes(StandardCharsets.US_ASCII));
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
    }
}
