package io.shatter.slurm;

import java.util.Map;
import java.util.Optional;

/**
 * The Slurm job this process runs in, read from the {@code SLURM_*} variables that {@code slurmd}
 * sets for a batch script and its steps.
 *
 * @param jobId         {@code SLURM_JOB_ID}
 * @param partition     {@code SLURM_JOB_PARTITION}
 * @param tasks         {@code SLURM_NTASKS} (older Slurm: {@code SLURM_NPROCS}); 1 when unset
 * @param nodes         {@code SLURM_JOB_NUM_NODES} (older Slurm: {@code SLURM_NNODES}); 1 when unset
 * @param cpusPerTask   {@code SLURM_CPUS_PER_TASK}; 1 when unset (Slurm sets it only with {@code --cpus-per-task})
 * @param restartCount  {@code SLURM_RESTART_COUNT}: how often the job was requeued; 0 when unset (Slurm sets it only after a requeue)
 * @param nodeList      {@code SLURM_JOB_NODELIST} in Slurm's compressed form (for example {@code node[01-04]}); empty when unset
 */
public record SlurmAllocation(String jobId, String partition, int tasks, int nodes, int cpusPerTask, int restartCount,
                              String nodeList) {

    /** The allocation of this process, or empty when it runs outside a Slurm job. */
    public static Optional<SlurmAllocation> current() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The allocation the variables {@code env} describe; empty when {@code SLURM_JOB_ID} is absent.
     *
     * @throws SlurmException when a variable is present but malformed, naming it and its value
     */
    public static Optional<SlurmAllocation> fromEnvironment(Map<String, String> env) {
        String jobId = first(env, "SLURM_JOB_ID", "SLURM_JOBID");
        if (jobId == null) {
            return Optional.empty();
        }
        String partition = first(env, "SLURM_JOB_PARTITION");
        return Optional.of(new SlurmAllocation(jobId, partition == null ? "" : partition,
                count(env, 1, 1, "SLURM_NTASKS", "SLURM_NPROCS"),
                count(env, 1, 1, "SLURM_JOB_NUM_NODES", "SLURM_NNODES"),
                count(env, 1, 1, "SLURM_CPUS_PER_TASK"),
                count(env, 0, 0, "SLURM_RESTART_COUNT"),
                Optional.ofNullable(first(env, "SLURM_JOB_NODELIST", "SLURM_NODELIST")).orElse("")));
    }

    /** Cores the allocation holds: tasks times CPUs per task. */
    public int cores() {
        return tasks * cpusPerTask;
    }

    /** Whether Slurm has requeued this job at least once (so its run directory may hold a journal to resume). */
    public boolean isRestart() {
        return restartCount > 0;
    }

    private static String first(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    private static int count(Map<String, String> env, int whenUnset, int minimum, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                continue;
            }
            try {
                int n = Integer.parseInt(value.strip());
                if (n >= minimum) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new SlurmException(name + "=" + value + " is not a whole number of at least " + minimum
                    + "; this variable is set by Slurm, so unset it or run inside a proper Slurm job");
        }
        return whenUnset;
    }
}
