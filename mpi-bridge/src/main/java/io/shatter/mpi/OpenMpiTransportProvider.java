package io.shatter.mpi;

import io.shatter.spi.TransportProvider;
import io.shatter.transport.Transport;

/**
 * Lets a program that calls {@code Shatter.run} without naming a transport run unchanged under
 * {@code mpirun}: recognises Open MPI's launcher from its environment and opens the transport. MPI
 * is finalized when the JVM exits (Open MPI reports a rank that exits without finalizing as a
 * failure), unless the program closed the transport itself.
 */
public final class OpenMpiTransportProvider implements TransportProvider {
    private static boolean hooked;

    @Override
    public Transport fromEnvironment() {
        if (!MpiTransports.launchedByOpenMpi(System.getenv())) {
            return null;
        }
        MpiTransport transport = MpiTransports.openMpi();
        synchronized (OpenMpiTransportProvider.class) {
            if (!hooked) {
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(transport::close, "shatter-mpi-finalize"));
            }
        }
        return transport;
    }
}
