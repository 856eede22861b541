package io.shatter.spi;

import io.shatter.transport.Transport;

/**
 * Finds the transport of a process that was launched as one rank of a parallel job (for example by
 * {@code mpirun}), so that the same program runs on local ranks or under a launcher without a
 * change. Found with {@link java.util.ServiceLoader} when a {@link io.shatter.RunConfig} names no
 * transport; the first provider that recognises its launcher wins.
 */
public interface TransportProvider {

    /** This process's transport when its launcher is recognised, else null (then ranks are local threads). */
    Transport fromEnvironment();
}
