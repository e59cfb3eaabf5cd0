package io.paddock.api.election;

/** ServiceLoader entry point of an election plugin, chosen by {@code electionAlg=}/{@code election=} in the config. */
public interface ElectionProvider {
    /** The config name, e.g. {@code fle}. */
    String name();

    /** A fresh core for one round of looking; thread-unsafe by design, owned by one driver thread. */
    Election create(ElectionConfig config);
}
