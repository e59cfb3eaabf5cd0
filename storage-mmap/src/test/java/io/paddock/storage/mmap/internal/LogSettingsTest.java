package io.paddock.storage.mmap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.api.storage.StorageConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSettingsTest {
    private static LogSettings from(long preAllocBytes, int txnsPerLogFileMax) {
        return LogSettings.from(new StorageConfig(Path.of("d"), Path.of("l"), preAllocBytes, txnsPerLogFileMax, true,
                Map.of()));
    }

    @Test
    void preAllocSizeIsRoundedUpToPagesAndZeroMeansTheDefault() {
        assertEquals(64 << 20, from(0, 10).segmentBytes());
        assertEquals(4096, from(1, 10).segmentBytes());
        assertEquals(8192, from(4097, 10).segmentBytes());
        assertEquals(16 << 10, from(16 << 10, 10).segmentBytes());
    }

    @Test
    void unusableValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> from(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> from((1L << 30) + 1, 10));
        assertThrows(IllegalArgumentException.class, () -> from(0, 0));
    }

    @Test
    void aRecordLargerThanASegmentGetsRoomRoundedToPages() {
        LogSettings s = from(16 << 10, 10);
        assertEquals(16 << 10, s.capacityFor(100));
        assertEquals(24 << 10, s.capacityFor((20 << 10) + 10));
    }
}
