package io.paddock.auth.ip.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IpLiteralTest {
    @Test
    void compressedIpv6FillsTheGapWithZeroGroups() {
        byte[] expected = new byte[16];
        expected[0] = 0x20;
        expected[1] = 0x01;
        expected[2] = 0x0d;
        expected[3] = (byte) 0xb8;
        expected[15] = 0x01;
        assertArrayEquals(expected, IpLiteral.address("2001:db8::1"));
        assertArrayEquals(expected, IpLiteral.address("2001:0DB8:0:0:0:0:0:0001"));
    }

    @Test
    void aRangeKeepsItsPrefixOrAllBits() {
        assertEquals(8, IpLiteral.range("10.0.0.0/8").prefixBits());
        assertEquals(32, IpLiteral.range("10.0.0.1").prefixBits());
        assertEquals(128, IpLiteral.range("::1").prefixBits());
        assertNull(IpLiteral.range("10.0.0.0/33"));
    }

    @Test
    void containsMasksOnlyThePrefix() {
        IpLiteral.Range r = IpLiteral.range("192.168.0.0/17");
        assertTrue(r.contains(new byte[] {(byte) 192, (byte) 168, 127, 1}));
        assertFalse(r.contains(new byte[] {(byte) 192, (byte) 168, (byte) 128, 1}));
        assertFalse(r.contains(null));
        assertFalse(r.contains(new byte[16]));
    }

    @Test
    void overlongInputIsRejectedUnread() {
        assertNull(IpLiteral.address("1".repeat(IpLiteral.LENGTH_MAX + 1)));
        assertNull(IpLiteral.range("1.2.3.4/" + "0".repeat(IpLiteral.LENGTH_MAX)));
    }
}
