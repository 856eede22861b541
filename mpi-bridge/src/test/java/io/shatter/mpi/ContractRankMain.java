package io.shatter.mpi;

import io.shatter.transport.Transport;

/**
 * One rank of a contract scenario under a real MPI launcher: {@code mpirun ... java ContractRankMain
 * SCENARIO} for Open MPI, or MPJ Express's starter with {@code -Dshatter.contract.mpj=true}. Prints
 * {@code VERDICT rank text}; a crashing rank tells its peers and ends abruptly.
 */
public final class ContractRankMain {
    private ContractRankMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean mpj = Boolean.getBoolean("shatter.contract.mpj");
        MpiTransport transport;
        String scenario;
        if (mpj) {
            MpiTransports.MpjRank rank = MpiTransports.mpj(args);
            transport = rank.transport();
            scenario = rank.programArgs()[0];
        } else {
            transport = MpiTransports.openMpi();
            scenario = args[0];
        }
        String verdict;
        boolean[] crashed = {false};
        try {
            verdict = TransportScenarios.run(scenario, transport, (Transport t, String reason) -> {
                crashed[0] = true;
                ((MpiTransport) t).abort(reason, 5_000);
            });
        } catch (Throwable e) {
            verdict = "FAIL " + e;
        }
        System.out.println("VERDICT " + transport.rank() + " " + verdict);
        System.out.flush();
        if (crashed[0]) {
            if (!mpj) {
                Runtime.getRuntime().halt(1); // die like a killed process; mpirun ends the job
            }
            return; // an MPJ rank is a thread: it just ends, without finalizing
        }
        if (scenario.equals("dead-peer") && mpj) {
            return; // MPJ's Finalize waits for every rank, and one is gone
        }
        transport.close();
    }
}
