package io.shatter.mpi;

/**
 * The few point-to-point calls {@link MpiTransport} needs, over one MPI library. Only the transport's
 * progress thread calls these (after {@code init}), so a binding need not be thread-safe.
 *
 * <p>Both bindings reach their library through method handles rather than compiled references:
 * Open MPI's {@code mpi.jar} and MPJ Express's {@code mpj.jar} both define a package {@code mpi}
 * with the same class names, neither is on Maven Central, and both are installed by
 * {@code scripts/install-mpi.sh} only on machines that run MPI. Binding at run time lets
 * {@code mvn -B verify} build on a fresh machine and keeps both jars out of the shipped classpath;
 * every handle is looked up when the transport starts, so a mismatch fails at once, naming the
 * method.
 */
interface MpiBinding {

    /** This process's rank in the world communicator. */
    int rank();

    /** Ranks in the world communicator. */
    int size();

    /** A waiting message with our tag, or null: {@code [source, byteCount]}. */
    int[] probe(int tag) throws Exception;

    /** Receives the probed message from {@code source} into a new array. */
    byte[] receive(int source, int byteCount, int tag) throws Exception;

    /** Starts sending {@code length} bytes of {@code data}; the array must not change until done. */
    Object startSend(byte[] data, int length, int destination, int tag) throws Exception;

    /** Whether a send started by {@link #startSend} has completed (its buffer may be reused). */
    boolean isDone(Object request) throws Exception;

    /** Ends MPI for this process (after every send completed). */
    void finish() throws Exception;

    /** Name for messages: "Open MPI" or "MPJ Express". */
    String name();

    /**
     * What a method-handle call into the MPI library threw, for the caller to throw: exceptions
     * as they are, errors rethrown here, anything else wrapped (method handles declare Throwable).
     */
    static Exception failure(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof Exception e ? e : new IllegalStateException(t);
    }
}
