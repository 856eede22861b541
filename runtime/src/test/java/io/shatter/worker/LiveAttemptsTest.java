package io.shatter.worker;

import io.shatter.protocol.Messages;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The primitive-keyed table answers exactly as a HashMap would, through growth and removals in every order. */
class LiveAttemptsTest {
    private static Assignment assignment(int taskId, int attempt) {
        return new Assignment(taskId, attempt, null, 0, 1, 0, Messages.NO_STEP, new byte[0], Map.of());
    }

    @Test
    void seededOperationsMatchAHashMap() {
        Random random = new Random(16);
        LiveAttempts live = new LiveAttempts();
        Map<Long, Assignment> reference = new HashMap<>();
        for (int op = 0; op < 200_000; op++) {
            // Several attempts per task id: many probe collisions; up to 9,000 keys (the table grows), then at most 120.
            int taskId = random.nextInt(op < 100_000 ? 3_000 : 40);
            int attempt = 1 + random.nextInt(3);
            long key = Assignment.key(taskId, attempt);
            switch (random.nextInt(3)) {
                case 0 -> {
                    Assignment a = assignment(taskId, attempt);
                    live.put(a);
                    reference.put(key, a);
                }
                case 1 -> {
                    live.remove(key);
                    reference.remove(key);
                }
                default -> assertSame(reference.get(key), live.get(key), "get " + taskId + "/" + attempt + " at op " + op);
            }
            assertEquals(reference.size(), live.size(), "size at op " + op);
        }
        Comparator<Assignment> byKey = Comparator.comparingLong(Assignment::key);
        List<Assignment> all = live.all();
        all.sort(byKey);
        assertEquals(reference.values().stream().sorted(byKey).toList(), all);
    }
}
