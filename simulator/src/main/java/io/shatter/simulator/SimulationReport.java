package io.shatter.simulator;

import io.shatter.RunSummary;
import io.shatter.observe.RunTimeline;

import java.util.List;
import java.util.Optional;

/**
 * What a simulation gives: the run summary a real run would print (the broker core's own figures,
 * makespan in simulated time), and how the simulation itself went.
 *
 * @param summary       the core's summary; {@code brokerNanosPerShard} is the wall time spent in the core per attempt
 * @param failure       why the run failed or was stopped, if it did not finish
 * @param events        events handed to the broker core
 * @param simulatedNanos simulated time at the end
 * @param wallNanos     wall time of the simulation loop
 * @param cpuNanos      CPU time of the simulation loop's thread (what the loop cost on a machine shared with others)
 * @param coreNanos     wall time spent inside the core's methods (on a busy machine, also time the thread waited for a core)
 * @param warnings      the core's warnings, in order (the first few)
 * @param trace         the timeline, if recorded
 */
public record SimulationReport(RunSummary summary, Optional<String> failure, long events, long simulatedNanos, long wallNanos,
                               long cpuNanos, long coreNanos, List<String> warnings, RunTimeline trace) {

    /** Events handed to the core per second of wall time. */
    public double eventsPerSecond() {
        return wallNanos == 0 ? 0 : events * 1e9 / wallNanos;
    }
}
