package io.paddock.api;

import java.util.Optional;

/** Znode creation modes with the flag values clients put in CreateRequest.flags. */
public enum CreateMode {
    PERSISTENT(0, false, false, false, false),
    EPHEMERAL(1, true, false, false, false),
    PERSISTENT_SEQUENTIAL(2, false, true, false, false),
    EPHEMERAL_SEQUENTIAL(3, true, true, false, false),
    CONTAINER(4, false, false, true, false),
    PERSISTENT_WITH_TTL(5, false, false, false, true),
    PERSISTENT_SEQUENTIAL_WITH_TTL(6, false, true, false, true);

    /** Largest TTL ZooKeeper accepts: 40 bits of milliseconds. */
    public static final long TTL_MS_MAX = 0xFF_FFFF_FFFFL;

    private static final CreateMode[] BY_FLAG = values();

    private final int flag;
    private final boolean ephemeral;
    private final boolean sequential;
    private final boolean container;
    private final boolean ttl;

    CreateMode(int flag, boolean ephemeral, boolean sequential, boolean container, boolean ttl) {
        this.flag = flag;
        this.ephemeral = ephemeral;
        this.sequential = sequential;
        this.container = container;
        this.ttl = ttl;
    }

    public static Optional<CreateMode> fromFlag(int flag) {
        return flag >= 0 && flag < BY_FLAG.length ? Optional.of(BY_FLAG[flag]) : Optional.empty();
    }

    public int flag() {
        return flag;
    }

    public boolean isEphemeral() {
        return ephemeral;
    }

    public boolean isSequential() {
        return sequential;
    }

    public boolean isContainer() {
        return container;
    }

    public boolean isTtl() {
        return ttl;
    }
}
