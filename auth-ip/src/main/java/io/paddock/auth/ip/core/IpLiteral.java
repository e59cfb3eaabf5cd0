package io.paddock.auth.ip.core;

/**
 * Parses IP address literals and CIDR ranges by hand, so that nothing can ever reach DNS (as
 * {@code InetAddress.getByName} does for anything that is not a literal). The accepted forms are ZooKeeper's
 * (IPAuthenticationProvider), with its lenient number parsing tightened to ASCII digits:
 * <ul>
 *   <li>IPv4: four dot-separated decimal parts of 1 to 3 digits, each 0..255 (leading zeros are decimal, not octal).
 *   <li>IPv6: eight colon-separated groups of 1 to 4 hex digits, or fewer groups with one {@code ::} standing for at
 *       least one zero group. No embedded IPv4 ({@code ::ffff:1.2.3.4}) and no zone ({@code %eth0}).
 *   <li>Either, optionally followed by {@code /n}: n of 1 to 3 decimal digits, 0..32 (IPv4) or 0..128 (IPv6).
 * </ul>
 * A string with a {@code ':'} is read as IPv6, else one with a {@code '.'} as IPv4, else it is no address.
 */
public final class IpLiteral {
    /** Longer than any literal with a prefix ("ffff:" x 7 + "ffff/128" is 43 characters); rejected unread. */
    static final int LENGTH_MAX = 64;
    private static final int V6_GROUPS = 8;

    private IpLiteral() {}

    /** An address and how many leading bits of it count. */
    public record Range(byte[] address, int prefixBits) {
        /** Does {@code other} (an address of either family) lie in this range? Families never match each other. */
        public boolean contains(byte[] other) {
            if (other == null || other.length != address.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != other[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (other[full] & mask);
        }
    }

    /** The 4 or 16 bytes of an address literal without a prefix, or null if {@code text} is not one. */
    public static byte[] address(String text) {
        if (text == null || text.isEmpty() || text.length() > LENGTH_MAX) {
            return null;
        }
        if (text.indexOf(':') >= 0) {
            return v6(text);
        }
        if (text.indexOf('.') >= 0) {
            return v4(text);
        }
        return null;
    }

    /** An address literal with an optional {@code /n}, or null if {@code text} is not one. */
    public static Range range(String text) {
        if (text == null || text.length() > LENGTH_MAX) {
            return null;
        }
        int slash = text.indexOf('/');
        byte[] address = address(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            return null;
        }
        int bits = address.length * 8;
        if (slash >= 0) {
            bits = decimal(text, slash + 1, text.length());
            if (bits < 0 || bits > address.length * 8) {
                return null;
            }
        }
        return new Range(address, bits);
    }

    private static byte[] v4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (part == 4) {
                    return null;
                }
                int v = decimal(text, start, i);
                if (v < 0 || v > 255) {
                    return null;
                }
                out[part++] = (byte) v;
                start = i + 1;
            }
        }
        return part == 4 ? out : null;
    }

    private static byte[] v6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null; // two "::", or ":::"
        }
        byte[] out = new byte[16];
        if (gap < 0) {
            return groups(text, 0, text.length(), out, 0) == V6_GROUPS ? out : null;
        }
        // groups before the gap go to the front, those after it to the back
        byte[] tail = new byte[16];
        int head = gap == 0 ? 0 : groups(text, 0, gap, out, 0);
        int back = gap + 2 == text.length() ? 0 : groups(text, gap + 2, text.length(), tail, 0);
        if (head < 0 || back < 0 || head + back >= V6_GROUPS) {
            return null;
        }
        System.arraycopy(tail, 0, out, 16 - back * 2, back * 2);
        return out;
    }

    /** Parses colon-separated groups of {@code text[from, to)} into {@code out}; their count, or -1. */
    private static int groups(String text, int from, int to, byte[] out, int count) {
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || text.charAt(i) == ':') {
                if (count == V6_GROUPS) {
                    return -1;
                }
                int v = hex(text, start, i);
                if (v < 0) {
                    return -1;
                }
                out[count * 2] = (byte) (v >>> 8);
                out[count * 2 + 1] = (byte) v;
                count++;
                start = i + 1;
            }
        }
        return count;
    }

    /** 1 to 3 ASCII decimal digits, or -1. */
    private static int decimal(String s, int from, int to) {
        if (to - from < 1 || to - from > 3) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** 1 to 4 ASCII hex digits, or -1. */
    private static int hex(String s, int from, int to) {
        if (to - from < 1 || to - from > 4) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || s.charAt(i) > 'f') {
                return -1; // Character.digit also takes non-ASCII digits
            }
            v = v * 16 + d;
        }
        return v;
    }
}
