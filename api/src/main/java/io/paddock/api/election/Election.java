package io.paddock.api.election;

import java.util.List;

/** A leader-election core: events in, actions out. Not thread-safe; driven by one thread or a simulator. */
public interface Election {
    List<ElectionAction> handle(ElectionEvent event);

    /** The vote this peer currently proposes (for status output and for answering LOOKING peers later). */
    Vote currentVote();
}
