package io.paddock.distro;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Key and trust stores for TLS tests, made in-process. The JDK has no public API to issue a certificate, and keytool
 * costs a JVM start (seconds) per call, so this signs a minimal X.509 v3 certificate itself: an EC P-256 key,
 * {@code CN=<name>}, two days of validity and a subjectAltName extension, DER-encoded by the few helpers below.
 */
final class TestKeyStores {

    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

    private TestKeyStores() {}

    /** A private key and its self-signed certificate. */
    record Identity(KeyPair keys, X509Certificate certificate) {

        /** A PKCS12 key store with the key and certificate, the store and the key under the same password. */
        Path writeKeyStore(Path file, String password) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", keys.getPrivate(), password.toCharArray(), new Certificate[] {certificate});
            return save(store, file, password);
        }
    }

    /** A PKCS12 trust store that holds {@code trusted}. */
    static Path writeTrustStore(Path file, String password, X509Certificate... trusted) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < trusted.length; i++) {
            store.setCertificateEntry("trusted-" + i, trusted[i]);
        }
        return save(store, file, password);
    }

    /** A self-signed certificate for {@code CN=name} whose subjectAltName lists the IP addresses and DNS names. */
    static Identity selfSigned(String name, List<String> ipAddresses, List<String> dnsNames) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();

        ByteArrayOutputStream altNames = new ByteArrayOutputStream();
        for (String ip : ipAddresses) {
            altNames.writeBytes(der(0x87, InetAddress.getByName(ip).getAddress())); // [7] iPAddress
        }
        for (String dns : dnsNames) {
            altNames.writeBytes(der(0x82, dns.getBytes(StandardCharsets.US_ASCII))); // [2] dNSName
        }
        byte[] signatureAlgorithm = sequence(oid(ECDSA_WITH_SHA256));
        byte[] distinguishedName = sequence(der(0x31, sequence(oid(COMMON_NAME),
                der(0x0c, name.getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray();
        byte[] toBeSigned = sequence(
                der(0xa0, der(0x02, new byte[] {2})), // version: v3
                der(0x02, serial),
                signatureAlgorithm,
                distinguishedName, // issuer = subject: self-signed
                sequence(utcTime(now.minusHours(1)), utcTime(now.plusDays(2))),
                distinguishedName,
                keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, DER already
                der(0xa3, sequence(sequence(oid(SUBJECT_ALT_NAME), der(0x04, sequence(altNames.toByteArray()))))));

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(toBeSigned);
        byte[] signature = signer.sign();
        byte[] bitString = new byte[signature.length + 1]; // leading 0: no unused bits
        System.arraycopy(signature, 0, bitString, 1, signature.length);
        byte[] encoded = sequence(toBeSigned, signatureAlgorithm, der(0x03, bitString));

        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(encoded));
        certificate.verify(keys.getPublic()); // the DER above is what the JDK reads back
        return new Identity(keys, certificate);
    }

    private static Path save(KeyStore store, Path file, String password) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    private static byte[] utcTime(ZonedDateTime time) {
        return der(0x17, UTC_TIME.format(time).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            // base 128, most significant group first, every byte but the last with its top bit set
            int groups = 1;
            while ((arc >> (7 * groups)) != 0) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                body.write((int) ((arc >> (7 * g)) & 0x7f) | (g > 0 ? 0x80 : 0));
            }
        }
        return der(0x06, body.toByteArray());
    }

    private static byte[] sequence(byte[]... elements) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] element : elements) {
            body.writeBytes(element);
        }
        return der(0x30, body.toByteArray());
    }

    /** One DER element: tag, definite length (short or long form), contents. */
    private static byte[] der(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = contents.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int lengthBytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | lengthBytes);
            for (int i = lengthBytes - 1; i >= 0; i--) {
                out.write(length >> (8 * i));
            }
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }
}
