package io.paddock.sim;

/** An invariant broke, or the run did not converge. The message names the seed and how to replay it. */
public final class SimulationFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final long seed;

    SimulationFailure(long seed, String message) {
        super(message);
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }
}
