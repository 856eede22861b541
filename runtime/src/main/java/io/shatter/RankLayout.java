package io.shatter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which capacity class each worker rank belongs to, how many cores it offers and which
 * capabilities. Rank 0 is the broker; workers are ranks 1 to {@code workers()}.
 *
 * @param classes      class of worker rank {@code r} at index {@code r - 1}
 * @param cores        cores of worker rank {@code r} at index {@code r - 1}
 * @param capabilities labels of worker rank {@code r} at index {@code r - 1}
 * @param joinSlots    how many of the last worker ranks are join slots: excess workers outside the
 *                     MPI world (Slurm jobs) that may join, leave and be replaced while the run goes on
 */
public record RankLayout(List<CapacityClass> classes, List<Integer> cores, List<Set<String>> capabilities, int joinSlots) {

    /**
     * The usual layout: {@code reserved} reserved ranks first, then {@code excess} excess ranks, then
     * {@code spare} spare ranks, each with {@code coresPerRank} cores and no capabilities.
     */
    public static RankLayout of(int reserved, int excess, int spare, int coresPerRank) {
        if (reserved < 0 || excess < 0 || spare < 0) {
            throw new IllegalArgumentException("rank counts must not be negative");
        }
        if (reserved + excess + spare == 0) {
            throw new IllegalArgumentException("at least one worker rank is needed");
        }
        if (coresPerRank < 1) {
            throw new IllegalArgumentException("cores per rank must be >= 1, got " + coresPerRank);
        }
        List<CapacityClass> classes = new ArrayList<>();
        for (int i = 0; i < reserved; i++) {
            classes.add(CapacityClass.RESERVED);
        }
        for (int i = 0; i < excess; i++) {
            classes.add(CapacityClass.EXCESS);
        }
        for (int i = 0; i < spare; i++) {
            classes.add(CapacityClass.SPARE);
        }
        List<Integer> cores = new ArrayList<>();
        List<Set<String>> caps = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            cores.add(coresPerRank);
            caps.add(Set.of());
        }
        return new RankLayout(List.copyOf(classes), List.copyOf(cores), List.copyOf(caps), 0);
    }

    /** Number of worker ranks. */
    public int workers() {
        return classes.size();
    }

    /** The class of worker rank {@code rank} (1-based; rank 0 is the broker). */
    public CapacityClass classOf(int rank) {
        return classes.get(rank - 1);
    }

    /** The same layout with extra capability labels on worker rank {@code rank}. */
    public RankLayout withCapabilities(int rank, Set<String> labels) {
        List<Set<String>> caps = new ArrayList<>(capabilities);
        caps.set(rank - 1, Set.copyOf(labels));
        return new RankLayout(classes, cores, List.copyOf(caps), joinSlots);
    }

    /**
     * The same layout plus {@code slots} join slots after the last rank: excess capacity that
     * workers started elsewhere (for example Slurm jobs on a preemptible partition) take when they
     * join, offering {@code coresEach} cores. The run neither waits for them nor fails without them.
     */
    public RankLayout withJoinSlots(int slots, int coresEach) {
        if (slots < 0 || coresEach < 1) {
            throw new IllegalArgumentException("join slots must be >= 0 with >= 1 core each, got " + slots + " x " + coresEach);
        }
        List<CapacityClass> c = new ArrayList<>(classes);
        List<Integer> k = new ArrayList<>(cores);
        List<Set<String>> caps = new ArrayList<>(capabilities);
        for (int i = 0; i < slots; i++) {
            c.add(CapacityClass.EXCESS);
            k.add(coresEach);
            caps.add(Set.of());
        }
        return new RankLayout(List.copyOf(c), List.copyOf(k), List.copyOf(caps), joinSlots + slots);
    }

    /** Worker ranks the run starts with (local threads or MPI ranks): all but the join slots. */
    public int fixedWorkers() {
        return workers() - joinSlots;
    }

    /** Whether worker rank {@code rank} is a join slot. */
    public boolean isJoinSlot(int rank) {
        return rank > fixedWorkers() && rank <= workers();
    }
}
