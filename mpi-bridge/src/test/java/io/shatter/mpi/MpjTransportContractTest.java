package io.shatter.mpi;

import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The contract over MPJ Express's multicore device: its real starter, ranks as threads of one child JVM. */
class MpjTransportContractTest extends TransportContractTest {
    private static Path mpjHome;

    @BeforeAll
    static void needMpj() {
        mpjHome = MpiLaunch.mpjHome();
        MpiLaunch.require(mpjHome, "MPJ Express (MPJ_HOME with lib/starter.jar)");
    }

    @Override
    protected Verdicts runScenario(String scenario, int ranks) throws Exception {
        // MPJ's starter reads MPJ_HOME from the environment; the child inherits ours, so pass it explicitly.
        List<String> cmd = List.of("env", "MPJ_HOME=" + mpjHome, "java", "-jar", mpjHome.resolve("lib/starter.jar").toString(),
                "-np", String.valueOf(ranks), "-cp", MpiLaunch.testClasspath(), "-Xmx1536m", "-Dshatter.contract.mpj=true",
                ContractRankMain.class.getName(), scenario);
        MpiLaunch.Outcome o = MpiLaunch.run(cmd, Duration.ofMinutes(3));
        // MPJ Express exits 0 whatever happened: the verdict lines are the result.
        return new Verdicts(OpenMpiTransportContractTest.parse(o.output()), "exit " + o.exitCode() + " after " + o.millis() + " ms\n" + o.output());
    }
}
