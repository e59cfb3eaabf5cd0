package io.paddock.example.auth.token;

import io.paddock.api.auth.AuthProvider;
import io.paddock.api.auth.AuthScheme;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ServiceLoader entry point: names the scheme and builds it from its settings. Paddock hands over the config keys
 * {@code auth.token.*} with the prefix removed, so {@code auth.token.tokens=ci:s3cret,ops:0ther} arrives here as
 * {@code tokens}. The no-arg constructor does nothing, as the SPI asks.
 */
public final class TokenAuthProvider implements AuthProvider {
    static final String TOKENS = "tokens";

    @Override
    public String name() {
        return TokenScheme.NAME;
    }

    /** @throws IllegalArgumentException if {@code tokens} is malformed; the message never shows a token */
    @Override
    public AuthScheme create(Map<String, String> settings) {
        Map<String, String> tokenToName = new LinkedHashMap<>();
        String list = settings.getOrDefault(TOKENS, "");
        int entry = 0;
        for (String item : list.split(",")) {
            entry++;
            String pair = item.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int colon = pair.indexOf(':');
            String name = colon < 0 ? "" : pair.substring(0, colon).trim();
            String token = colon < 0 ? "" : pair.substring(colon + 1).trim();
            if (!TokenScheme.isName(name) || token.isEmpty()) {
                throw new IllegalArgumentException("auth.token.tokens: entry " + entry
                        + " is not name:token (names are letters, digits, '.', '_' or '-')");
            }
            if (tokenToName.containsValue(name)) {
                throw new IllegalArgumentException("auth.token.tokens: the name '" + name + "' appears twice");
            }
            if (tokenToName.putIfAbsent(token, name) != null) {
                throw new IllegalArgumentException("auth.token.tokens: entry " + entry
                        + " repeats the token of another entry");
            }
        }
        return new TokenScheme(tokenToName);
    }
}
