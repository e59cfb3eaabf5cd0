package io.paddock.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DigestLogTest {
    @Test
    void keepsEvery128thZxidAndOnlyTheLast64() {
        DigestLog log = new DigestLog();
        for (long zxid = 1; zxid <= 128 * 70; zxid++) {
            log.applied(zxid, zxid * 3);
        }
        List<String> lines = log.lines();
        assertEquals(64, lines.size());
        assertEquals(Long.toHexString(128 * 7) + ": " + (128 * 7 * 3), lines.get(0), "oldest kept first");
        assertEquals(Long.toHexString(128 * 70) + ": " + (128 * 70 * 3), lines.get(63));
    }

    @Test
    void hashAnswersWithTheDigestLogWhenWhitelisted() {
        DigestLog log = new DigestLog();
        log.applied(128, -1L);
        ServerView view = (ServerView) java.lang.reflect.Proxy.newProxyInstance(ServerView.class.getClassLoader(),
                new Class<?>[] {ServerView.class}, (proxy, method, args) -> {
                    if (method.getName().equals("digestLog")) {
                        return log.lines();
                    }
                    if (method.getName().equals("serving")) {
                        return true;
                    }
                    throw new AssertionError("hash reads only the digest log, not " + method.getName());
                });
        assertEquals("80: 18446744073709551615\n", new FourLetterWords(java.util.Set.of("hash"), view).answer("hash"));
        assertEquals("hash is not executed because it is not in the whitelist.\n",
                new FourLetterWords(java.util.Set.of("srvr"), view).answer("hash"));
    }
}
