package io.paddock.compat;

import static io.paddock.compat.FourLetterWordIT.fourLetterWord;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.ServerUnderTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Four-letter words with the default whitelist, which enables srvr only (WIRE-PROTOCOL §9.1). */
class FourLetterWordWhitelistIT {

    private static ServerUnderTest server;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> cfg = ServerUnderTest.defaultConfig();
        cfg.remove("4lw.commands.whitelist");
        server = ServerUnderTest.start(cfg);
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(server);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ruok", "stat", "mntr", "conf", "isro"})
    void aKnownButNotWhitelistedWordIsRefusedWithAMessage(String word) throws Exception {
        assertEquals(word + " is not executed because it is not in the whitelist.\n",
                fourLetterWord(server.port(), word));
    }

    @Test
    void srvrIsWhitelistedByDefault() throws Exception {
        assertTrue(fourLetterWord(server.port(), "srvr").contains("\nMode: " + server.mode() + "\n"));
    }
}
