package io.shatter.broker.core;

import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.RunSummary;
import io.shatter.ShardGraph;
import io.shatter.spi.PersistenceForecaster;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A joined worker that leaves on its own (Slurm's scancel or preemption: SIGTERM) hands over what
 * it ran; an assignment that crossed its 'leaving' on the way never started there, so it is
 * assigned again without being counted as lost work (the "0 preemptions and 2 lost").
 */
class LeavingWorkerTest {
    private static final long MS = 1_000_000;

    @Test
    void anAssignmentThatCrossedTheLeavingIsRequeuedNotLost() {
        ShardGraph.Builder g = ShardGraph.builder("leaving");
        for (int i = 0; i < 6; i++) {
            g.shard("s" + i).compute(Codecs.INT, ctx -> 1);
        }
        ShardGraph graph = g.build();
        RunConfig config = RunConfig.builder().layout(RankLayout.of(1, 0, 0, 1).withJoinSlots(1, 2)).build();
        List<Command> out = new ArrayList<>();
        BrokerCore core = new BrokerCore(graph, CoreSettings.of(config), config.policy(), new PersistenceForecaster(), out::add);
        core.handle(new Event.WorkerHello(1, 1, List.of(), graph.fingerprint()), 0);
        core.handle(new Event.WorkerHello(2, 2, List.of(), graph.fingerprint()), 0);
        core.start(0);
        core.dispatch(0);
        List<Command.Assign> onJoined = assignmentsTo(2, out);
        List<Command.Assign> onReserved = new ArrayList<>(assignmentsTo(1, out));
        assertTrue(onJoined.size() >= 2, "the joined worker got work: " + out);

        // SIGTERM: 'leaving', the first attempt yields its state; the others were still on their way to it.
        core.handle(new Event.WorkerLeaving(2), MS);
        Command.Assign first = onJoined.get(0);
        core.handle(new Event.AttemptYielded(2, first.taskId(), first.attempt(), Optional.of(new SavedState(3, new byte[] {1})), MS), 2 * MS);
        core.handle(new Event.WorkerLeft(2), 3 * MS);
        RunSummary summary = core.summary(0, 3 * MS);
        assertEquals(0, summary.lostAttempts(), "nothing the leaving worker ran was lost: " + summary);
        assertEquals(1, summary.preemptions(), "its running shard handed its state over: " + summary);

        // Everything finishes on the reserved rank, each shard once.
        for (int round = 0; round < 20 && !core.isFinished(); round++) {
            out.clear();
            core.dispatch((10 + round) * MS);
            onReserved.addAll(assignmentsTo(1, out));
            for (Command.Assign a : onReserved) {
                core.handle(new Event.AttemptDone(1, a.taskId(), a.attempt(), MS, new byte[] {0, 0, 0, 1}), (10 + round) * MS);
            }
            onReserved.clear();
        }
        assertTrue(core.isFinished(), "every shard committed on the reserved rank");
        assertEquals(6, core.shardsCompleted());
    }

    private static List<Command.Assign> assignmentsTo(int rank, List<Command> out) {
        return out.stream().filter(c -> c instanceof Command.AssignBatch b && b.rank() == rank)
                .flatMap(c -> ((Command.AssignBatch) c).assignments().stream()).toList();
    }
}
