package io.shatter;

import io.shatter.broker.BrokerLoop;
import io.shatter.broker.core.BrokerCore;
import io.shatter.observe.RunTimeline;
import io.shatter.transport.CompositeTransport;
import io.shatter.transport.LocalCluster;
import io.shatter.transport.Transport;
import io.shatter.worker.Worker;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link ShardGraph}. SPMD, like MPI: every rank calls {@link #run} with the same graph; on
 * rank 0 it becomes the broker and returns the assembled result, on the other ranks it becomes the
 * worker loop and returns once the broker says the run is over. Without a transport in the
 * configuration, all ranks are threads of this JVM (the embedded default).
 *
 * <pre>{@code
 * RunResult result = Shatter.run(graph, RunConfig.builder().ranks(2, 2, 0).build());
 * double total = result.get(sum);
 * }</pre>
 */
public final class Shatter {
    private Shatter() {
    }

    /**
     * Runs the graph to completion.
     *
     * @return every shard's committed output, the summary and the timeline (on rank 0)
     * @throws ShardFailedException when a shard failed on every attempt of its retry budget
     * @throws ShatterException     when the run cannot go on (for example every worker rank was lost)
     */
    public static RunResult run(ShardGraph graph, RunConfig config) {
        Transport transport = config.transport();
        if (transport == null) {
            return runLocally(graph, config);
        }
        RankLayout layout = config.layout();
        // Join slots are not processes of the transport: workers from elsewhere take them through the join channel.
        int ownWorkers = config.joinChannel() != null ? layout.fixedWorkers() : layout.workers();
        if (transport.size() != ownWorkers + 1) {
            throw new ShatterException("the rank layout has " + ownWorkers + " worker ranks, but the transport connects "
                    + transport.size() + " processes (the broker and " + (transport.size() - 1) + " workers); start "
                    + (ownWorkers + 1) + " processes (mpirun -np " + (ownWorkers + 1) + ") or change the layout");
        }
        if (transport.rank() == 0) {
            return runBroker(graph, config, withJoinChannel(transport, config));
        }
        int rank = transport.rank();
        CapacityClass capacityClass = rank <= layout.workers() ? layout.classOf(rank) : CapacityClass.RESERVED;
        int cores = rank <= layout.workers() ? layout.cores().get(rank - 1) : 1;
        List<String> capabilities = rank <= layout.workers() ? List.copyOf(layout.capabilities().get(rank - 1)) : List.of();
        new Worker(graph, transport, cores, capabilities, capacityClass).run();
        return new RunResult(graph, i -> null, null, RunTimeline.EMPTY, java.util.OptionalLong.empty());
    }

    private static RunResult runLocally(ShardGraph graph, RunConfig config) {
        RankLayout layout = config.layout();
        // Join slots are not threads here: workers from elsewhere take them through the join channel.
        // Without one the local cluster still spans them, so that they simply stay vacant.
        LocalCluster cluster = new LocalCluster((config.joinChannel() != null ? layout.fixedWorkers() : layout.workers()) + 1);
        List<Thread> workers = new ArrayList<>();
        for (int r = 1; r <= layout.fixedWorkers(); r++) {
            Worker worker = new Worker(graph, cluster.endpoint(r), layout.cores().get(r - 1),
                    List.copyOf(layout.capabilities().get(r - 1)), layout.classOf(r));
            Thread thread = new Thread(worker::run, "shatter-rank-" + r);
            thread.setDaemon(true); // a shard stuck in user code must not keep the JVM alive after the run
            workers.add(thread);
        }
        workers.forEach(Thread::start);
        try {
            return runBroker(graph, config, withJoinChannel(cluster.endpoint(0), config));
        } finally {
            for (Thread t : workers) {
                try {
                    t.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /** The broker's transport: the run's own ranks, plus the join channel's after them if there is one. */
    private static Transport withJoinChannel(Transport own, RunConfig config) {
        return config.joinChannel() == null ? own : new CompositeTransport(own, config.joinChannel());
    }

    private static RunResult runBroker(ShardGraph graph, RunConfig config, Transport transport) {
        BrokerLoop loop = new BrokerLoop(graph, config, transport);
        try {
            loop.run();
        } catch (ShatterException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // The loop turns its own failures into a failed run; this one came while starting or stopping it: still a summary.
            ShatterException failure = new ShatterException("the broker failed (" + e + "). If this repeats, "
                    + "run with --debug and report the stack trace", e);
            failure.attachSummary(loop.summary());
            failure.attachTimeline(loop.timeline().finish());
            throw failure;
        } finally {
            if (config.joinChannel() != null) {
                config.joinChannel().close(); // joined workers heard the shutdown; free the port
            }
        }
        BrokerCore core = loop.core();
        RunSummary summary = loop.summary();
        RunTimeline timeline = loop.timeline().finish();
        if (core.failure().isPresent()) {
            ShatterException failure = core.failure().get();
            failure.attachSummary(summary);
            failure.attachTimeline(timeline);
            throw failure;
        }
        return new RunResult(graph, core::output, summary, timeline, loop.timeline().firstAttemptStartNanos());
    }
}
