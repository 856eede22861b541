package io.shatter.mpi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Open MPI's Java bindings ({@code mpi.jar}, compiled by {@code scripts/install-mpi.sh}) through
 * method handles. Sends are non-blocking ({@code iSend}) so that two ranks sending large frames to
 * each other never wait on each other; Open MPI's {@code iSend} takes direct buffers only, so frames
 * are copied into pooled direct buffers.
 */
final class OpenMpiBinding implements MpiBinding {
    /** Two buffer sizes: batches of small frames, and full 4 MiB messages (chunks, big batches). */
    private static final int SMALL_BUFFER_BYTES = 64 << 10;
    private static final int LARGE_BUFFER_BYTES = MpiTransport.MAX_MESSAGE_BYTES;

    private final Object world;
    private final Object byteType;
    private final int anySource;
    private final int rank;
    private final int size;
    private final MethodHandle iProbe;
    private final MethodHandle blockingProbe;
    private final MethodHandle statusSource;
    private final MethodHandle statusCount;
    private final MethodHandle recv;
    private final MethodHandle iSend;
    private final MethodHandle test;
    private final MethodHandle requestFree;
    private final MethodHandle finalizeMpi;
    private final ArrayDeque<ByteBuffer> smallPool = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> largePool = new ArrayDeque<>();

    private OpenMpiBinding(ClassLoader loader, String[] args) throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        Class<?> mpi = Class.forName("mpi.MPI", true, loader);
        Class<?> comm = Class.forName("mpi.Comm", true, loader);
        Class<?> datatype = Class.forName("mpi.Datatype", true, loader);
        Class<?> status = Class.forName("mpi.Status", true, loader);
        Class<?> request = Class.forName("mpi.Request", true, loader);
        int multiple = mpi.getField("THREAD_MULTIPLE").getInt(null);
        try {
            // THREAD_MULTIPLE because Init/Finalize run on the main thread and everything else on
            // the progress thread; the library provides it (scripts/README.md).
            l.findStatic(mpi, "InitThread", MethodType.methodType(int.class, String[].class, int.class))
                    .invoke(args, multiple);
        } catch (Throwable t) {
            throw new IllegalStateException("MPI.InitThread failed: " + t, t);
        }
        world = mpi.getField("COMM_WORLD").get(null);
        byteType = mpi.getField("BYTE").get(null);
        anySource = mpi.getField("ANY_SOURCE").getInt(null);
        try {
            rank = (int) l.findVirtual(comm, "getRank", MethodType.methodType(int.class)).invoke(world);
            size = (int) l.findVirtual(comm, "getSize", MethodType.methodType(int.class)).invoke(world);
        } catch (Throwable t) {
            throw new IllegalStateException("MPI rank/size: " + t, t);
        }
        // Erased to Object so the hot calls can use invokeExact (no boxing, no varargs arrays).
        iProbe = erase(l.findVirtual(comm, "iProbe", MethodType.methodType(status, int.class, int.class)));
        blockingProbe = erase(l.findVirtual(comm, "probe", MethodType.methodType(status, int.class, int.class)));
        statusSource = erase(l.findVirtual(status, "getSource", MethodType.methodType(int.class)));
        statusCount = erase(l.findVirtual(status, "getCount", MethodType.methodType(int.class, datatype)));
        recv = erase(l.findVirtual(comm, "recv", MethodType.methodType(status, Object.class, int.class, datatype, int.class, int.class)));
        iSend = erase(l.findVirtual(comm, "iSend", MethodType.methodType(request, Buffer.class, int.class, datatype, int.class, int.class)));
        test = erase(l.findVirtual(request, "test", MethodType.methodType(boolean.class)));
        requestFree = erase(l.findVirtual(request, "free", MethodType.methodType(void.class)));
        finalizeMpi = l.findStatic(mpi, "Finalize", MethodType.methodType(void.class));
    }

    /** Initialises Open MPI in this process (once) and binds to it. */
    static OpenMpiBinding init(String[] args) {
        ClassLoader loader = OpenMpiBinding.class.getClassLoader();
        try {
            return new OpenMpiBinding(loader, args);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new MpiUnavailableException("Open MPI's Java bindings (mpi.jar) are not on the classpath (" + e.getMessage()
                    + "). Run scripts/install-mpi.sh, then . /opt/shatter/env.sh (it sets SHATTER_MPI_JAR, which bin/shatter"
                    + " puts on the classpath).", e);
        } catch (UnsatisfiedLinkError e) {
            throw new MpiUnavailableException("Open MPI's native library libmpi_java.so cannot be loaded (" + e.getMessage()
                    + "). Install libopenmpi-dev with scripts/install-mpi.sh.", e);
        } catch (ReflectiveOperationException e) {
            throw new MpiUnavailableException("the mpi.jar on the classpath does not match Open MPI 4.1's Java API ("
                    + e + "). Rebuild it with scripts/install-mpi.sh.", e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] probe(int tag) throws Exception {
        try {
            Object st = (Object) iProbe.invokeExact(world, anySource, tag);
            if (st == null) {
                return null;
            }
            return new int[] {(int) statusSource.invokeExact(st), (int) statusCount.invokeExact(st, byteType)};
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    /**
     * Waits inside Open MPI for a message: {@code [source, byteCount]}. Only for measuring the
     * alternative to polling (it keeps a core busy while it waits; see mpi-bridge/README.md).
     */
    int[] probeBlocking(int tag) throws Exception {
        try {
            Object st = (Object) blockingProbe.invokeExact(world, anySource, tag);
            return new int[] {(int) statusSource.invokeExact(st), (int) statusCount.invokeExact(st, byteType)};
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    @Override
    public byte[] receive(int source, int byteCount, int tag) throws Exception {
        byte[] data = new byte[byteCount];
        try {
            Object ignored = (Object) recv.invokeExact(world, (Object) data, byteCount, byteType, source, tag);
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
        return data;
    }

    @Override
    public Object startSend(byte[] data, int length, int destination, int tag) throws Exception {
        ByteBuffer buffer = length <= SMALL_BUFFER_BYTES ? smallPool.poll() : length <= LARGE_BUFFER_BYTES ? largePool.poll() : null;
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(length <= SMALL_BUFFER_BYTES ? SMALL_BUFFER_BYTES
                    : length <= LARGE_BUFFER_BYTES ? LARGE_BUFFER_BYTES : length);
        }
        buffer.clear();
        buffer.put(data, 0, length);
        buffer.flip();
        try {
            Object request = (Object) iSend.invokeExact(world, (Object) buffer, length, byteType, destination, tag);
            return new PendingSend(request, buffer);
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    @Override
    public boolean isDone(Object pending) throws Exception {
        PendingSend p = (PendingSend) pending;
        try {
            if (!(boolean) test.invokeExact(p.request)) {
                return false;
            }
            requestFree.invokeExact(p.request);
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
        // Keep a few buffers for reuse: allocating direct memory per message is slow, keeping many is wasteful.
        if (p.buffer.capacity() == SMALL_BUFFER_BYTES && smallPool.size() < 32) {
            smallPool.add(p.buffer);
        } else if (p.buffer.capacity() == LARGE_BUFFER_BYTES && largePool.size() < 4) {
            largePool.add(p.buffer);
        }
        return true;
    }

    @Override
    public void finish() throws Exception {
        call(finalizeMpi);
    }

    @Override
    public String name() {
        return "Open MPI";
    }

    private static Object call(MethodHandle h, Object... args) throws Exception {
        try {
            return h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    /** The handle with every reference type replaced by Object. */
    static MethodHandle erase(MethodHandle h) {
        return h.asType(h.type().erase());
    }

    private record PendingSend(Object request, ByteBuffer buffer) {
    }
}
