package io.paddock.auth.ip.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Id;
import io.paddock.auth.ip.core.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpSchemeTest {
    private final IpScheme ip = new IpScheme();

    @Test
    void authenticateGivesTheRemoteAddressWhateverTheCredentials() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), 5000);
        assertEquals(List.of(new Id("ip", "10.1.2.3")), ip.authenticate(v4, "anything".getBytes()));
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByAddress(new byte[16]), 5000);
        assertEquals(List.of(new Id("ip", "0:0:0:0:0:0:0:0")), ip.authenticate(v6, new byte[0]));
        InetSocketAddress loop6 = new InetSocketAddress(InetAddress.getByName("::1"), 5000);
        assertEquals(List.of(new Id("ip", "0:0:0:0:0:0:0:1")), ip.authenticate(loop6, null));
    }

    @Test
    void authenticateWithoutAResolvedAddressIsRejected() {
        assertEquals(List.of(), ip.authenticate(null, new byte[0]));
        assertEquals(List.of(), ip.authenticate(InetSocketAddress.createUnresolved("example.invalid", 1),
                new byte[0]));
    }

    @Test
    void ipIdsAreNotAuthenticatedAndAreTheirOwnUserName() {
        assertFalse(ip.isAuthenticated());
        assertEquals("ip", ip.scheme());
        assertEquals("10.0.0.1", ip.userName("10.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.0.0/8", "10.0.0.0/0", "1.2.3.4/32",
        "010.001.0.1", "::1", "::", "0:0:0:0:0:0:0:1", "fe80::1/10", "FE80::ABCD:1", "1::", "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8", "2001:db8::/32", "::/0", "::1/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
        "0:0:0:0:0:0:0:0/000"})
    void validExpressions(String expr) {
        assertTrue(ip.isValid(expr), expr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4",
        "+1.2.3.4", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/8/8", "1.2.3.4/0008", "/8",
        "1.2.3.4 ", " 1.2.3.4", "1.2.3.4:80", "1.2.3.٤", "1::2::3", ":::", ":1::", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "12345::", "g::1", "::ffff:127.0.0.1", "fe80::1%eth0", "::1/129",
        "::1/", "1:2:3:4:5:6:7:8/", "1.2.3.4/3a", "0000000000000000000000000000000000000000000000000000000000001.2.3.4"})
    void malformedExpressionsAreInvalidAndMatchNothing(String expr) {
        assertFalse(ip.isValid(expr), expr);
        for (String held : List.of("127.0.0.1", "1.2.3.4", "0:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:0")) {
            assertFalse(ip.matches(held, expr), held + " vs " + expr);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1, true",
        "127.0.0.1, 127.0.0.2, false",
        "127.0.0.1, 127.0.0.0/8, true",
        "128.0.0.1, 127.0.0.0/8, false",
        "10.1.2.3, 10.1.0.0/16, true",
        "10.2.2.3, 10.1.0.0/16, false",
        "10.1.2.3, 10.1.2.0/23, true",
        "10.1.3.3, 10.1.2.0/23, true",
        "10.1.4.3, 10.1.2.0/23, false",
        "192.168.1.1, 0.0.0.0/0, true",
        "192.168.1.1, 192.168.1.255/24, true",
        "10.0.0.1, 010.0.0.1, true",
        "0:0:0:0:0:0:0:1, ::1, true",
        "0:0:0:0:0:0:0:1, 0:0:0:0:0:0:0:1, true",
        "0:0:0:0:0:0:0:1, ::2, false",
        "0:0:0:0:0:0:0:1, ::/127, true",
        "0:0:0:0:0:0:0:2, ::/127, false",
        "0:0:0:0:0:0:0:1, ::/0, true",
        "2001:db8:0:0:0:0:0:7, 2001:db8::/32, true",
        "2001:db9:0:0:0:0:0:7, 2001:db8::/32, false",
        "fe80:0:0:0:0:0:0:1, FE80::/10, true",
        "febf:0:0:0:0:0:0:1, fe80::/10, true",
        "fec0:0:0:0:0:0:0:1, fe80::/10, false",
        "127.0.0.1, ::1, false",
        "127.0.0.1, ::/0, false",
        "0:0:0:0:0:0:0:1, 0.0.0.0/0, false",
        "0:0:0:0:0:0:7f00:1, 127.0.0.1, false",
        "0:0:0:0:0:ffff:7f00:1, 127.0.0.1, false",
        "fe80:0:0:0:0:0:0:1%eth0, fe80::/10, false",
        "not-an-address, 0.0.0.0/0, false",
        "1.2.3.4/32, 1.2.3.4, false"
    })
    void matchingMasksBothSidesAndNeverCrossesFamilies(String held, String acl, boolean expected) {
        assertEquals(expected, ip.matches(held, acl), held + " vs " + acl);
    }

    @Test
    void nullsNeverMatchAndAreInvalid() {
        assertFalse(ip.isValid(null));
        assertFalse(ip.matches(null, "1.2.3.4"));
        assertFalse(ip.matches("1.2.3.4", null));
    }

    @Test
    void addressesParseToTheSameBytesAsTheJdkDoesForLiterals() throws Exception {
        for (String literal : List.of("::1", "1::", "2001:db8::ff00:42:8329", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                "fe80::", "1:0:0:0:0:0:0:8", "192.0.2.33", "0.0.0.0")) {
            // InetAddress.getByName does no lookup for a literal; here it is only the reference answer
            assertArrayEquals(InetAddress.getByName(literal).getAddress(),
                    IpLiteral.address(literal), literal);
        }
    }
}
