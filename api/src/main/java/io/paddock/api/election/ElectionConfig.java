package io.paddock.api.election;

import io.paddock.api.PeerId;
import java.util.Objects;
import java.util.Set;

/**
 * @param self                 this server
 * @param voters               voting members, including {@code self} unless it is an observer
 * @param observers            non-voting members
 * @param notificationTimeoutTicksMax upper bound of the back-off between re-sending notifications, in ticks
 */
public record ElectionConfig(PeerId self, Set<PeerId> voters, Set<PeerId> observers, int notificationTimeoutTicksMax) {
    public ElectionConfig {
        Objects.requireNonNull(self, "self");
        voters = Set.copyOf(voters);
        observers = Set.copyOf(observers);
        if (notificationTimeoutTicksMax <= 0) {
            throw new IllegalArgumentException("notificationTimeoutTicksMax must be positive");
        }
    }

    public boolean isObserver() {
        return observers.contains(self);
    }
}
