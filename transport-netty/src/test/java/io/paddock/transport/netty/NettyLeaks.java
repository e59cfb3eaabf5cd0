package io.paddock.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns Netty's leak reports into test failures. Every test class that touches Netty registers it, so it is loaded
 * before the first buffer class (leak detectors are created when Netty's buffer classes initialise). With
 * {@code -Dio.netty.leakDetection.level=paranoid} (set by the pom) every buffer is tracked; after each class the
 * buffers nobody references any more are collected and any that was not released is reported here.
 */
public final class NettyLeaks implements AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID); // when run outside Maven
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected boolean needReport() {
                        return true;
                    }

                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.add(resourceType + " leaked:" + records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.add(resourceType + " leaked (untraced)");
                    }
                };
            }
        });
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // leaks are found when a collected buffer's tracker is polled, which happens on every tracked allocation
        for (int round = 0; round < 4; round++) {
            System.gc();
            List<ByteBuf> probes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                probes.add(PooledByteBufAllocator.DEFAULT.directBuffer(16));
            }
            probes.forEach(ByteBuf::release);
        }
        List<String> found = List.copyOf(LEAKS);
        LEAKS.clear();
        assertEquals(List.of(), found, "Netty buffers leaked in " + context.getDisplayName());
    }
}
