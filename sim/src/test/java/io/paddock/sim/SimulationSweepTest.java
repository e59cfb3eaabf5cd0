package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Many seeds of the randomised world, each a full run: faults and load, then heal and converge, with every invariant
 * checked after every step. A failure prints its seed, the world's state and the trace tail; replay it exactly with
 * {@code -Dsim.seed=N} (add {@code -Dsim.trace=all} for the whole trace). {@code -Dsim.seeds=N} and
 * {@code -Dsim.firstSeed=N} choose the sweep (default 1000 seeds from 1).
 */
class SimulationSweepTest {

    /** Each seed also picks its ensemble shape and fault mix, so the sweep covers all of them. */
    static SimOptions optionsFor(long seed) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        SimOptions o = SimOptions.random();
        o.voters = r.nextInt(4) == 0 ? 5 : 3;
        o.observers = r.nextInt(3) == 0 ? 1 : 0;
        o.committedLogMax = new int[] {2, 5, 16, 500}[r.nextInt(4)];
        o.snapshotEveryMin = 2 + r.nextInt(5);
        o.snapshotEveryMax = o.snapshotEveryMin + r.nextInt(40);
        if (r.nextInt(5) == 0) {
            o.chaos(0.01);
        }
        if (r.nextInt(4) == 0) {
            o.crashProbability = 0.04;
            o.midStepCrashProbability = 0.01;
        }
        return o;
    }

    static Simulator run(long seed) {
        Simulator sim = new Simulator(seed, optionsFor(seed));
        sim.runRandom();
        return sim;
    }

    @Test
    void everySeedKeepsEveryInvariantAndConverges() throws Exception {
        String one = System.getProperty("sim.seed");
        if (one != null) {
            Simulator sim = run(Long.parseLong(one));
            System.out.println("seed " + one + " passed: " + sim.stats());
            return;
        }
        int seeds = Integer.getInteger("sim.seeds", 1000);
        long first = Long.getLong("sim.firstSeed", 1L);
        Simulator.Stats total = new Simulator.Stats();
        long started = System.nanoTime();
        // Seeds are independent worlds: run them on every core; each one is still single-threaded and exact.
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<Simulator.Stats>> runs = new ArrayList<>();
            for (long seed = first; seed < first + seeds; seed++) {
                long s = seed;
                runs.add(pool.submit(() -> run(s).stats()));
            }
            for (Future<Simulator.Stats> f : runs) {
                Simulator.Stats s = f.get();
                total.elections += s.elections;
                total.diffs += s.diffs;
                total.truncs += s.truncs;
                total.snaps += s.snaps;
                total.crashes += s.crashes;
                total.establishments += s.establishments;
                total.stepDowns += s.stepDowns;
                total.proposals += s.proposals;
                total.syncsCompleted += s.syncsCompleted;
                total.partitions += s.partitions;
                total.holesRejected += s.holesRejected;
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err; // a SimulationFailure: its message names the seed and how to replay it
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("%d seeds from %d in %d ms: %s holesRejected=%d%n", seeds, first,
                (System.nanoTime() - started) / 1_000_000, total, total.holesRejected);
        assertTrue(total.diffs > 0 && total.truncs > 0 && total.snaps > 0, "every sync kind exercised: " + total);
        assertTrue(total.crashes > 0 && total.partitions > 0 && total.syncsCompleted > 0, total.toString());
    }
}
