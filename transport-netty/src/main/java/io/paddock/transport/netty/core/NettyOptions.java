package io.paddock.transport.netty.core;

import io.paddock.transport.netty.core.TlsOptions.ClientAuthMode;
import io.paddock.transport.netty.core.TlsOptions.Store;
import io.paddock.transport.netty.core.TlsOptions.StoreType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code extra} keys of {@code TransportConfig} this transport reads (distro hands over every {@code transport.*}
 * key of the config file with the prefix removed), parsed once. Pure: no files are opened here.
 *
 * @param epoll     {@code epoll}: whether to use the native epoll transport
 * @param tls       the {@code ssl.*} settings of the secure client port
 * @param quorumTls the {@code ssl.quorum.*} settings of the peer links when {@code sslQuorum=true}, else {@code null}
 *                  (peer links in plain TCP)
 * @param warnings  one line per key that is ignored, to be logged at start
 */
public record NettyOptions(EpollMode epoll, TlsOptions tls, TlsOptions quorumTls, List<String> warnings) {

    /** {@code epoll=auto|true|false}. */
    public enum EpollMode {
        /** Native epoll when the platform has it (Linux x86_64 with the native jar), else java.nio. The default. */
        AUTO,
        /** Native epoll or fail at start. */
        REQUIRED,
        /** Always java.nio. */
        OFF
    }

    /** The key names under {@code ssl.} (secure client port) and {@code ssl.quorum.} (peer links). */
    private static final List<String> TLS_KEYS = List.of(
            "keyStore.location", "keyStore.password", "keyStore.passwordPath", "keyStore.type",
            "trustStore.location", "trustStore.password", "trustStore.passwordPath", "trustStore.type",
            "clientAuth", "hostnameVerification", "clientHostnameVerification", "protocol", "enabledProtocols",
            "ciphersuites", "crl", "ocsp", "allowReverseDnsLookup");
    private static final String CLIENT_PREFIX = "ssl.";
    private static final String QUORUM_PREFIX = "ssl.quorum.";
    private static final Set<String> KNOWN = known();

    private static Set<String> known() {
        Set<String> known = new TreeSet<>(List.of("epoll", "sslQuorum"));
        for (String key : TLS_KEYS) {
            known.add(CLIENT_PREFIX + key);
            known.add(QUORUM_PREFIX + key);
        }
        return Set.copyOf(known);
    }

    public NettyOptions {
        warnings = List.copyOf(warnings);
    }

    /** Parses the keys; the message of every {@link IllegalArgumentException} names the key. */
    public static NettyOptions parse(Map<String, String> extra) {
        Map<String, String> keys = new TreeMap<>();
        List<String> warnings = new ArrayList<>();
        extra.forEach((key, value) -> {
            keys.put(key, value == null ? "" : value.trim());
            if (!KNOWN.contains(key)) {
                warnings.add("Ignoring unknown key transport." + key + " (transport netty reads "
                        + String.join(", ", new TreeSet<>(KNOWN)) + ")");
            }
        });
        TlsOptions quorumTls = null;
        if (bool(keys, "sslQuorum", false)) {
            quorumTls = tls(keys, QUORUM_PREFIX);
            if (!quorumTls.configured()) {
                throw new IllegalArgumentException("sslQuorum=true needs a key store for the peer links: set"
                        + " transport.ssl.quorum.keyStore.location (and transport.ssl.quorum.keyStore.password or"
                        + " .passwordPath)");
            }
            if (quorumTls.clientAuth() != ClientAuthMode.NEED) {
                throw new IllegalArgumentException("transport.ssl.quorum.clientAuth=" + keys.get(QUORUM_PREFIX
                        + "clientAuth") + " is not supported: peer links always use mutual TLS (need)");
            }
        } else {
            for (String key : keys.keySet()) {
                if (key.startsWith(QUORUM_PREFIX)) {
                    warnings.add("Ignoring transport." + key + ": it configures TLS between peers, and sslQuorum is"
                            + " not true");
                }
            }
        }
        return new NettyOptions(epoll(keys), tls(keys, CLIENT_PREFIX), quorumTls, warnings);
    }

    private static EpollMode epoll(Map<String, String> keys) {
        String value = keys.getOrDefault("epoll", "auto");
        switch (value.toLowerCase(Locale.ROOT)) {
            case "auto":
            case "":
                return EpollMode.AUTO;
            case "true":
            case "yes":
                return EpollMode.REQUIRED;
            case "false":
            case "no":
                return EpollMode.OFF;
            default:
                throw new IllegalArgumentException("Invalid value '" + value + "' for transport.epoll: expected auto,"
                        + " true or false");
        }
    }

    /** The TLS keys under {@code prefix}: {@code ssl.} for the secure client port, {@code ssl.quorum.} for peers. */
    private static TlsOptions tls(Map<String, String> keys, String prefix) {
        refuseTrue(keys, prefix + "crl", "certificate revocation lists are not supported yet");
        refuseTrue(keys, prefix + "ocsp", "OCSP is not supported yet");
        refuseTrue(keys, prefix + "allowReverseDnsLookup",
                "certificates are checked against IP addresses and the names dialled only, never a reverse DNS name");
        Store keyStore = store(keys, prefix + "keyStore");
        Store trustStore = store(keys, prefix + "trustStore");
        String clientAuthValue = keys.get(prefix + "clientAuth");
        ClientAuthMode clientAuth = clientAuthValue != null && !clientAuthValue.isEmpty()
                ? ClientAuthMode.parse("transport." + prefix + "clientAuth", clientAuthValue)
                : ClientAuthMode.NEED;
        boolean hostnameVerification = bool(keys, prefix + "hostnameVerification", true);
        boolean clientHostnameVerification = bool(keys, prefix + "clientHostnameVerification", hostnameVerification);
        String protocol = nonEmpty(keys.get(prefix + "protocol"));
        return new TlsOptions("transport." + prefix, keyStore, trustStore, clientAuth, hostnameVerification,
                clientHostnameVerification, protocol, list(keys.get(prefix + "enabledProtocols")),
                list(keys.get(prefix + "ciphersuites")));
    }

    private static Store store(Map<String, String> keys, String prefix) {
        String location = nonEmpty(keys.get(prefix + ".location"));
        String password = keys.get(prefix + ".password");
        String passwordPath = nonEmpty(keys.get(prefix + ".passwordPath"));
        String typeValue = nonEmpty(keys.get(prefix + ".type"));
        if (location == null) {
            if (password != null || passwordPath != null || typeValue != null) {
                throw new IllegalArgumentException("transport." + prefix + ".password/passwordPath/type are set but "
                        + "transport." + prefix + ".location is not");
            }
            return null;
        }
        if (password != null && passwordPath != null) {
            throw new IllegalArgumentException("Set one of transport." + prefix + ".password and transport." + prefix
                    + ".passwordPath, not both");
        }
        StoreType type;
        if (typeValue != null) {
            type = StoreType.parse("transport." + prefix + ".type", typeValue);
        } else {
            type = StoreType.fromFileName(location);
            if (type == null) {
                throw new IllegalArgumentException("Cannot tell the format of " + location + " (transport." + prefix
                        + ".location) from its name: set transport." + prefix + ".type to JKS, PKCS12 or PEM");
            }
        }
        return new Store("transport." + prefix + ".location", location, type, password, passwordPath);
    }

    private static void refuseTrue(Map<String, String> keys, String key, String why) {
        if (bool(keys, key, false)) {
            throw new IllegalArgumentException("transport." + key + "=true is not supported: " + why);
        }
    }

    private static boolean bool(Map<String, String> keys, String key, boolean defaultValue) {
        String value = keys.get(key);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
                return true;
            case "false":
            case "no":
                return false;
            default:
                throw new IllegalArgumentException("Invalid value '" + value + "' for transport." + key
                        + ": expected true or false");
        }
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
