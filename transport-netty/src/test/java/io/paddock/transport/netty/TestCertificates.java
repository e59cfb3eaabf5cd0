package io.paddock.transport.netty;

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
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * Self-signed EC certificates made in-process: the JDK signs, a few lines of DER build the X.509 structure. What keytool
 * would make with {@code -genkeypair -keyalg EC -ext SAN=...}, without a JVM start per certificate (several seconds
 * each on a busy two-core machine).
 */
final class TestCertificates {

    private static final byte[] OID_ECDSA_WITH_SHA256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] OID_COMMON_NAME = {0x55, 0x04, 0x03};
    private static final byte[] OID_SUBJECT_ALT_NAME = {0x55, 0x1d, 0x11};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

    private TestCertificates() {}

    /** A key pair and a self-signed certificate for {@code CN=name}, naming the given IP addresses and DNS names. */
    record Identity(KeyPair keys, X509Certificate certificate) {
        /** Writes a PKCS12 key store holding the key and the certificate, both under {@code password}. */
        Path writeKeyStore(Path file, String password) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", keys.getPrivate(), password.toCharArray(), new Certificate[] {certificate});
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        }

        /** ZooKeeper's PEM key store: the private key (unencrypted PKCS#8) and the certificate in one file. */
        Path writePemKeyStore(Path file) throws Exception {
            String key = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(file, key + pem());
            return file;
        }

        String pem() throws Exception {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        }
    }

    /** Writes a trust store of {@code type} (JKS, PKCS12) that trusts exactly {@code certificates}. */
    static Path writeTrustStore(Path file, String type, String password, Certificate... certificates)
            throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            store.setCertificateEntry("trusted-" + i, certificates[i]);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    static Identity selfSigned(String name, List<String> ipAddresses, List<String> dnsNames) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();

        byte[] algorithm = sequence(tlv(0x06, OID_ECDSA_WITH_SHA256));
        byte[] subject = sequence(tlv(0x31, sequence(tlv(0x06, OID_COMMON_NAME),
                tlv(0x0c, name.getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] validity = sequence(utcTime(now.minusHours(1)), utcTime(now.plusDays(2)));
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        for (String ip : ipAddresses) {
            names.writeBytes(tlv(0x87, InetAddress.getByName(ip).getAddress())); // [7] iPAddress
        }
        for (String dns : dnsNames) {
            names.writeBytes(tlv(0x82, dns.getBytes(StandardCharsets.US_ASCII))); // [2] dNSName
        }
        byte[] subjectAltName = sequence(tlv(0x06, OID_SUBJECT_ALT_NAME),
                tlv(0x04, tlv(0x30, names.toByteArray())));
        byte[] tbs = sequence(
                tlv(0xa0, tlv(0x02, new byte[] {2})), // [0] version v3
                tlv(0x02, BigInteger.valueOf(System.nanoTime()).abs().add(BigInteger.ONE).toByteArray()),
                algorithm,
                subject, // issuer: self-signed
                validity,
                subject,
                keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, already DER
                tlv(0xa3, sequence(subjectAltName))); // [3] extensions
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bits = new byte[signature.length + 1]; // BIT STRING: no unused bits
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] der = sequence(tbs, algorithm, tlv(0x03, bits));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        certificate.verify(keys.getPublic());
        return new Identity(keys, certificate);
    }

    private static byte[] utcTime(ZonedDateTime time) {
        return tlv(0x17, UTC_TIME.format(time).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
