package io.shatter.slurm;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlurmAllocationTest {

    @Test
    void readsWhatSlurmdSetsForABatchScript() {
        // Recorded from 'sbatch -p excess -n 2 --cpus-per-task=2' on the local Slurm 22.05.
        Map<String, String> env = Map.of("SLURM_JOB_ID", "10", "SLURM_JOBID", "10", "SLURM_JOB_PARTITION", "excess",
                "SLURM_NTASKS", "2", "SLURM_NPROCS", "2", "SLURM_JOB_NUM_NODES", "1", "SLURM_NNODES", "1",
                "SLURM_CPUS_PER_TASK", "2", "SLURM_JOB_NODELIST", "vm");
        SlurmAllocation a = SlurmAllocation.fromEnvironment(env).orElseThrow();
        assertEquals(new SlurmAllocation("10", "excess", 2, 1, 2, 0, "vm"), a);
        assertEquals(4, a.cores());
        assertFalse(a.isRestart());
    }

    @Test
    void requeuedJobCarriesItsRestartCount() {
        SlurmAllocation a = SlurmAllocation.fromEnvironment(Map.of("SLURM_JOB_ID", "7", "SLURM_RESTART_COUNT", "3")).orElseThrow();
        assertEquals(3, a.restartCount());
        assertTrue(a.isRestart());
    }

    @Test
    void defaultsWhenSlurmOmitsOptionalVariables() {
        SlurmAllocation a = SlurmAllocation.fromEnvironment(Map.of("SLURM_JOBID", "42", "SLURM_NPROCS", "3", "SLURM_NNODES", "2"))
                .orElseThrow();
        assertEquals(new SlurmAllocation("42", "", 3, 2, 1, 0, ""), a);
    }

    @Test
    void outsideSlurmThereIsNoAllocation() {
        assertTrue(SlurmAllocation.fromEnvironment(Map.of("HOME", "/root")).isEmpty());
    }

    @Test
    void malformedVariableIsNamedInTheMessage() {
        SlurmException e = assertThrows(SlurmException.class,
                () -> SlurmAllocation.fromEnvironment(Map.of("SLURM_JOB_ID", "1", "SLURM_NTASKS", "two")));
        assertTrue(e.getMessage().contains("SLURM_NTASKS=two"), e.getMessage());
        e = assertThrows(SlurmException.class,
                () -> SlurmAllocation.fromEnvironment(Map.of("SLURM_JOB_ID", "1", "SLURM_CPUS_PER_TASK", "0")));
        assertTrue(e.getMessage().contains("SLURM_CPUS_PER_TASK=0"), e.getMessage());
    }
}
