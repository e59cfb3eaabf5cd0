package io.paddock.api.replication;

/** What this server currently is, as reported to the state machine and shown by {@code srvr}. */
public enum Role {
    STANDALONE("standalone", true),
    LEADER("leader", true),
    FOLLOWER("follower", false),
    OBSERVER("observer", false),
    /** Not serving: election in progress or not synced. */
    LOOKING("looking", false);

    private final String displayName;
    private final boolean prepares;

    Role(String displayName, boolean prepares) {
        this.displayName = displayName;
        this.prepares = prepares;
    }

    /** The word 4lw output uses ({@code Mode: standalone}). */
    public String displayName() {
        return displayName;
    }

    /** Whether writes are prepared on this server (leader, standalone) rather than forwarded. */
    public boolean prepares() {
        return prepares;
    }
}
