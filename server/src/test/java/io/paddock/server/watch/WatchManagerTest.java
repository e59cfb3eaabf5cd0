package io.paddock.server.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Acl;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchManagerTest {
    private static final class FakeWatcher implements Watcher {
        final List<String> events = new ArrayList<>();
        volatile boolean alive = true;

        @Override
        public void deliver(WatchEvent event) {
            events.add(event.type() + " " + event.path());
        }

        @Override
        public boolean mayRead(List<Acl> acl) {
            return true;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }
    }

    private final WatchManager watches = new WatchManager(e -> ByteBuffer.allocate(0));

    @Test
    void aWatchRegisteredAfterItsConnectionClosedIsNotKept() {
        FakeWatcher w = new FakeWatcher();
        w.alive = false;
        watches.addDataWatch("/a", w);
        watches.addChildWatch("/a", w);
        watches.addPersistentWatch("/b", w, true);
        assertEquals(0, watches.totalWatchCount());
        watches.triggerData("/b/c", 1, 5, Acl.OPEN_ACL_UNSAFE);
        assertTrue(w.events.isEmpty(), "the recursive count went back to zero too");
    }

    @Test
    void oneShotWatchesFireOnceAndPersistentOnesStay() {
        FakeWatcher w = new FakeWatcher();
        watches.addDataWatch("/a", w);
        watches.addPersistentWatch("/a", w, false);
        watches.triggerData("/a", 3, 7, Acl.OPEN_ACL_UNSAFE);
        watches.triggerData("/a", 3, 8, Acl.OPEN_ACL_UNSAFE);
        assertEquals(List.of("3 /a", "3 /a"), w.events, "one event per trigger, the persistent watch remains");
        assertTrue(watches.contains("/a", w, 4), "persistent (type 4) is still registered");
    }
}
