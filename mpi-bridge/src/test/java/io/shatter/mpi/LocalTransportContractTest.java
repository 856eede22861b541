package io.shatter.mpi;

import io.shatter.transport.LocalCluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The contract on local ranks: threads of this JVM over {@link LocalCluster}. */
class LocalTransportContractTest extends TransportContractTest {

    @Override
    protected Verdicts runScenario(String scenario, int ranks) throws Exception {
        LocalCluster cluster = new LocalCluster(ranks);
        Map<Integer, String> verdicts = new ConcurrentHashMap<>();
        Thread[] threads = new Thread[ranks];
        for (int r = 0; r < ranks; r++) {
            int rank = r;
            threads[r] = new Thread(() -> {
                try {
                    verdicts.put(rank, TransportScenarios.run(scenario, cluster.endpoint(rank),
                            (t, reason) -> cluster.markLost(t.rank(), reason)));
                } catch (Throwable e) {
                    verdicts.put(rank, "FAIL " + e);
                }
            }, "contract-rank-" + r);
            threads[r].start();
        }
        for (Thread t : threads) {
            t.join(TransportScenarios.DEADLINE_MILLIS * 2);
        }
        return new Verdicts(verdicts, verdicts.toString());
    }
}
