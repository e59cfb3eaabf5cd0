package io.paddock.zab.core;

import io.paddock.api.Zxid;
import io.paddock.zab.ZabConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Shared shorthand for the core tests. */
final class Fixtures {
    private Fixtures() {}

    static ZabConfig config(long self, int voters, long... observers) {
        Set<Long> v = new java.util.TreeSet<>();
        for (long i = 1; i <= voters; i++) {
            v.add(i);
        }
        Set<Long> o = new java.util.TreeSet<>();
        for (long id : observers) {
            o.add(id);
        }
        return new ZabConfig(self, v, o, 10, 5, 500, 1L << 20, 100, 100, 3);
    }

    static long z(long epoch, long counter) {
        return Zxid.of(epoch, counter);
    }

    static byte[] txn(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static LogEntry entry(long epoch, long counter) {
        return new LogEntry(z(epoch, counter), txn("t" + epoch + "." + counter));
    }

    static List<LogEntry> entries(long epoch, long fromCounter, long toCounter) {
        List<LogEntry> out = new ArrayList<>();
        for (long c = fromCounter; c <= toCounter; c++) {
            out.add(entry(epoch, c));
        }
        return out;
    }

    static ZabEvent.Received from(long peer, ZabMessage m) {
        return new ZabEvent.Received(peer, m);
    }

    static <T> List<T> only(List<ZabAction> actions, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (ZabAction a : actions) {
            if (type.isInstance(a)) {
                out.add(type.cast(a));
            }
        }
        return out;
    }

    /** Messages sent to {@code to} of the given type, in order. */
    static <T extends ZabMessage> List<T> sent(List<ZabAction> actions, long to, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (ZabAction a : actions) {
            if (a instanceof ZabAction.Send s && s.to() == to && type.isInstance(s.message())) {
                out.add(type.cast(s.message()));
            }
        }
        return out;
    }

    static int indexOf(List<ZabAction> actions, Class<?> type) {
        for (int i = 0; i < actions.size(); i++) {
            ZabAction a = actions.get(i);
            if (type.isInstance(a) || (a instanceof ZabAction.Send s && type.isInstance(s.message()))) {
                return i;
            }
        }
        return -1;
    }
}
