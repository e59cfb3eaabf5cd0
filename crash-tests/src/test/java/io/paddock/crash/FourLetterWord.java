package io.paddock.crash;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a server a four-letter word on its client port, as {@code echo srvr | nc} does: connect, send the word, read
 * until the server closes. Used to find the leader and to tell a serving member from one that is not.
 */
final class FourLetterWord {
    private static final Pattern MODE = Pattern.compile("(?m)^Mode: (\\w+)");
    private static final Pattern ZXID = Pattern.compile("(?m)^Zxid: 0x([0-9a-fA-F]+)");
    private static final Pattern NODES = Pattern.compile("(?m)^Node count: (\\d+)");
    /** An answer is a few hundred bytes; a server that streams more is misbehaving, and the reader stops there. */
    private static final int ANSWER_BYTES_MAX = 1 << 20;

    private FourLetterWord() {}

    /** The answer, or null when the server cannot be reached or closes without answering within {@code timeoutMs}. */
    static String ask(int port, String word, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0 && out.size() < ANSWER_BYTES_MAX) {
                out.write(buf, 0, n);
            }
            String answer = out.toString(StandardCharsets.UTF_8);
            return answer.isEmpty() ? null : answer;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The role in a {@code srvr} answer: {@code leader}, {@code follower}, {@code observer}, {@code standalone};
     * {@code not serving} for ZooKeeper's "This ZooKeeper instance is not currently serving requests" and for a
     * {@code Mode: looking}; null for no answer.
     */
    static String mode(String srvr) {
        if (srvr == null) {
            return null;
        }
        if (srvr.contains("not currently serving")) {
            return "not serving";
        }
        Matcher m = MODE.matcher(srvr);
        if (!m.find()) {
            return "not serving";
        }
        String mode = m.group(1);
        return mode.equals("looking") ? "not serving" : mode;
    }

    static boolean serving(String mode) {
        return mode != null && (mode.equals("leader") || mode.equals("follower") || mode.equals("observer"));
    }

    /** The {@code Zxid:} line of a {@code srvr} answer, or -1. */
    static long zxid(String srvr) {
        Matcher m = srvr == null ? null : ZXID.matcher(srvr);
        return m != null && m.find() ? Long.parseUnsignedLong(m.group(1), 16) : -1;
    }

    /** The {@code Node count:} line of a {@code srvr} answer, or -1. */
    static long nodeCount(String srvr) {
        Matcher m = srvr == null ? null : NODES.matcher(srvr);
        return m != null && m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
