package io.shatter.mpi;

import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The contract over Open MPI: real {@code mpirun --oversubscribe -np 3|4}, one JVM per rank. */
class OpenMpiTransportContractTest extends TransportContractTest {
    private static Path mpiJar;

    @BeforeAll
    static void needOpenMpi() {
        mpiJar = MpiLaunch.openMpiJar();
        MpiLaunch.require(mpiJar, "Open MPI with its Java bindings (mpirun and mpi.jar)");
    }

    @Override
    protected Verdicts runScenario(String scenario, int ranks) throws Exception {
        List<String> cmd = new ArrayList<>(MpiLaunch.mpirun(ranks));
        // -cp first: mpirun rewrites the argument after the first option containing "cp" (scripts/README.md).
        cmd.addAll(List.of("java", "-cp", mpiJar + ":" + MpiLaunch.testClasspath(), "-Xmx768m",
                ContractRankMain.class.getName(), scenario));
        MpiLaunch.Outcome o = MpiLaunch.run(cmd, Duration.ofMinutes(3));
        Map<Integer, String> verdicts = parse(o.output());
        if (scenario.equals("dead-peer")) {
            // Open MPI 4 ends the whole world when a rank dies: the job must end, non-zero, promptly.
            assertNotEquals(0, o.exitCode(), "mpirun exit status after a rank died\n" + o.output());
        } else if (o.exitCode() != 0) {
            verdicts.put(-1, "mpirun exited " + o.exitCode());
        }
        return new Verdicts(verdicts, "exit " + o.exitCode() + " after " + o.millis() + " ms\n" + o.output());
    }

    static Map<Integer, String> parse(String output) {
        Map<Integer, String> verdicts = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("VERDICT ")) {
                String[] parts = line.split(" ", 3);
                verdicts.put(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "");
            }
        }
        return verdicts;
    }
}
