package io.shatter.broker.core;

import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.ShardGraph;
import io.shatter.spi.PersistenceForecaster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A timer carries what it was armed for: the grace of a first revocation, still armed when the
 * rank left, came back and was revoked again, must not cut the second grace short.
 */
class TimerIdentityTest {
    private static final long MS = 1_000_000;

    @Test
    void aStaleGraceTimerDoesNotCutALaterGraceShort() {
        ShardGraph.Builder g = ShardGraph.builder("timers");
        g.shard("a").compute(Codecs.INT, ctx -> 1);
        g.shard("b").compute(Codecs.INT, ctx -> 2);
        ShardGraph graph = g.build();
        RunConfig config = RunConfig.builder().layout(RankLayout.of(1, 1, 0, 1)).build();
        List<Command> out = new ArrayList<>();
        BrokerCore core = new BrokerCore(graph, CoreSettings.of(config), config.policy(), new PersistenceForecaster(), out::add);
        core.handle(new Event.WorkerHello(1, 1, List.of(), graph.fingerprint()), 0);
        core.handle(new Event.WorkerHello(2, 1, List.of(), graph.fingerprint()), 0);
        core.start(0);
        core.dispatch(0);
        Command.Assign onExcess = assignmentTo(2, out);

        // Revocation 1 with a 10 ms grace: the rank yields at once and leaves, then comes back.
        core.handle(new Event.RevokeRequested(2, 10 * MS), 0);
        core.handle(new Event.AttemptYielded(2, onExcess.taskId(), onExcess.attempt(), Optional.empty(), 0), MS);
        core.handle(new Event.WorkerLeft(2), MS);
        core.handle(new Event.RestoreRequested(2), 2 * MS);
        core.handle(new Event.WorkerHello(2, 1, List.of(), graph.fingerprint()), 3 * MS);
        out.clear();
        core.dispatch(3 * MS);
        Command.Assign again = assignmentTo(2, out);

        // Revocation 2, also 10 ms: its grace ends at 14 ms, not at the first one's 10 ms.
        core.handle(new Event.RevokeRequested(2, 10 * MS), 4 * MS);
        core.handle(new Event.TimerDue(), 10 * MS);
        assertEquals(0, core.summary(0, 10 * MS).lostAttempts(), "the first grace's timer cut the second grace short");
        core.handle(new Event.TimerDue(), 14 * MS);
        assertEquals(1, core.summary(0, 14 * MS).lostAttempts(), "the second grace ends the attempt still running");
        assertTrue(again.attempt() > onExcess.attempt() || again.taskId() != onExcess.taskId());
    }

    private static Command.Assign assignmentTo(int rank, List<Command> out) {
        return out.stream().filter(c -> c instanceof Command.AssignBatch b && b.rank() == rank)
                .flatMap(c -> ((Command.AssignBatch) c).assignments().stream())
                .findFirst().orElseThrow(() -> new AssertionError("nothing assigned to rank " + rank + ": " + out));
    }
}
