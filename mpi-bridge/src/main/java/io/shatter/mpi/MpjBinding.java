package io.shatter.mpi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * MPJ Express (mpiJava 1.2 API: {@code Rank()}, {@code Isend}, {@code Iprobe}) through method
 * handles; see {@link MpiBinding} for why. Under the multicore device every rank is a thread of one
 * JVM with its own class loader, so this class and MPJ's {@code mpi.MPI} are per rank.
 */
final class MpjBinding implements MpiBinding {
    private final Object world;
    private final Object byteType;
    private final int anySource;
    private final int rank;
    private final int size;
    private final String[] userArgs;
    private final MethodHandle iprobe;
    private final MethodHandle getCount;
    private final java.lang.reflect.Field statusSource;
    private final MethodHandle recv;
    private final MethodHandle isend;
    private final MethodHandle test;
    private final MethodHandle finalizeMpi;

    private MpjBinding(ClassLoader loader, String[] mainArgs) throws Throwable {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        Class<?> mpi = Class.forName("mpi.MPI", true, loader);
        Class<?> comm = Class.forName("mpi.Comm", true, loader);
        Class<?> datatype = Class.forName("mpi.Datatype", true, loader);
        Class<?> status = Class.forName("mpi.Status", true, loader);
        Class<?> request = Class.forName("mpi.Request", true, loader);
        // MPJ's main gets [rank, np, device, user args...]; Init consumes the first three.
        userArgs = (String[]) l.findStatic(mpi, "Init", MethodType.methodType(String[].class, String[].class)).invoke(mainArgs);
        world = mpi.getField("COMM_WORLD").get(null);
        byteType = mpi.getField("BYTE").get(null);
        anySource = mpi.getField("ANY_SOURCE").getInt(null);
        rank = (int) l.findVirtual(comm, "Rank", MethodType.methodType(int.class)).invoke(world);
        size = (int) l.findVirtual(comm, "Size", MethodType.methodType(int.class)).invoke(world);
        iprobe = OpenMpiBinding.erase(l.findVirtual(comm, "Iprobe", MethodType.methodType(status, int.class, int.class)));
        getCount = OpenMpiBinding.erase(l.findVirtual(status, "Get_count", MethodType.methodType(int.class, datatype)));
        statusSource = Class.forName("mpjdev.Status", true, loader).getField("source");
        recv = OpenMpiBinding.erase(l.findVirtual(comm, "Recv",
                MethodType.methodType(status, Object.class, int.class, int.class, datatype, int.class, int.class)));
        isend = OpenMpiBinding.erase(l.findVirtual(comm, "Isend",
                MethodType.methodType(request, Object.class, int.class, int.class, datatype, int.class, int.class)));
        test = OpenMpiBinding.erase(l.findVirtual(request, "Test", MethodType.methodType(status)));
        finalizeMpi = l.findStatic(mpi, "Finalize", MethodType.methodType(void.class));
    }

    /** Initialises MPJ Express for this rank from the arguments its starter gave {@code main}. */
    static MpjBinding init(String[] mainArgs) {
        try {
            return new MpjBinding(MpjBinding.class.getClassLoader(), mainArgs);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new MpiUnavailableException("MPJ Express (mpj.jar) is not on the classpath (" + e.getMessage()
                    + "). Start ranks with bin/shatter run ... --mpj, which uses $MPJ_HOME/bin/mpjrun.sh; install MPJ Express with"
                    + " scripts/install-mpi.sh.", e);
        } catch (Throwable e) {
            throw new MpiUnavailableException("MPJ Express could not be initialised: " + e, e);
        }
    }

    /** The program's own arguments (what followed the class name on the starter's command line). */
    String[] userArgs() {
        return userArgs.clone();
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
            Object st = (Object) iprobe.invokeExact(world, anySource, tag);
            if (st == null) {
                return null;
            }
            return new int[] {statusSource.getInt(st), (int) getCount.invokeExact(st, byteType)};
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    @Override
    public byte[] receive(int source, int byteCount, int tag) throws Exception {
        byte[] data = new byte[byteCount];
        try {
            Object ignored = (Object) recv.invokeExact(world, (Object) data, 0, byteCount, byteType, source, tag);
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
        return data;
    }

    @Override
    public Object startSend(byte[] data, int length, int destination, int tag) throws Exception {
        try {
            return (Object) isend.invokeExact(world, (Object) data, 0, length, byteType, destination, tag);
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    @Override
    public boolean isDone(Object request) throws Exception {
        try {
            return (Object) test.invokeExact(request) != null;
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    @Override
    public void finish() throws Exception {
        try {
            finalizeMpi.invokeExact();
        } catch (Throwable t) {
            throw MpiBinding.failure(t);
        }
    }

    @Override
    public String name() {
        return "MPJ Express";
    }
}
