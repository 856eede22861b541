package io.shatter;

import io.shatter.graph.ShardSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The graph's fingerprint and dependency lists are what journals and checkpoints of earlier runs
 * were written against: the builder computes them without per-shard garbage now, and must give the
 * same values as the original string-per-shard computation, kept here as the reference.
 */
class ShardGraphFingerprintTest {

    /** The original computation, verbatim. */
    private static String referenceFingerprint(String name, List<ShardSpec> shards) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        for (ShardSpec s : shards) {
            String line = s.id() + '|' + s.kind() + '|' + s.priority() + '|' + s.cores() + '|' + new TreeSet<>(s.capabilities())
                    + '|' + Arrays.toString(s.inputs()) + '|' + Arrays.toString(s.dependencies())
                    + '|' + s.rangeStart() + '|' + s.rangeEnd() + '|' + s.grain() + '\n';
            digest.update(line.getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : Arrays.copyOf(digest.digest(), 8)) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    @Test
    void randomGraphsKeepTheirFingerprintAndDependencies() throws Exception {
        SplittableRandom random = new SplittableRandom(17);
        for (int trial = 0; trial < 20; trial++) {
            ShardGraph.Builder g = ShardGraph.builder("g" + trial);
            List<Shard<?>> made = new ArrayList<>();
            int size = 1 + random.nextInt(3000);
            List<List<Integer>> expectedDeps = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                ShardGraph.ShardBuilder b = g.shard("s\u00e9-" + i).priority(Priority.values()[random.nextInt(4)]).cores(1 + random.nextInt(3));
                int caps = random.nextInt(4);
                for (int c = 0; c < caps; c++) {
                    b.requires("cap" + random.nextInt(5));
                }
                TreeSet<Integer> deps = new TreeSet<>();
                int inputs = i == 0 ? 0 : random.nextInt(Math.min(i, 6));
                List<Shard<?>> in = new ArrayList<>();
                for (int k = 0; k < inputs; k++) {
                    Shard<?> s = made.get(random.nextInt(i));
                    in.add(s); // repeats on purpose
                    deps.add(s.index());
                }
                b.inputs(in.toArray(new Shard<?>[0]));
                if (i > 1 && random.nextInt(3) == 0) {
                    int target = random.nextInt(i);
                    b.after("s\u00e9-" + target);
                    deps.add(target);
                }
                expectedDeps.add(new ArrayList<>(deps));
                made.add(random.nextInt(5) == 0
                        ? b.parallelFor(0, 1 + random.nextInt(10_000), 1 + random.nextInt(7), Codecs.LONG, (from, to, ctx) -> 0L, Long::sum)
                        : b.compute(Codecs.LONG, ctx -> 1L));
            }
            ShardGraph graph = g.build();
            assertEquals(referenceFingerprint(graph.name(), graph.shards()), graph.fingerprint());
            int[] dependentCounts = new int[size];
            for (ShardSpec s : graph.shards()) {
                assertArrayEquals(expectedDeps.get(s.index()).stream().mapToInt(Integer::intValue).toArray(), s.dependencies(), s.id());
                for (int d : s.dependencies()) {
                    dependentCounts[d]++;
                }
            }
            for (int i = 0; i < size; i++) {
                int[] dependents = graph.dependentsOf(i);
                assertEquals(dependentCounts[i], dependents.length);
                for (int k = 1; k < dependents.length; k++) {
                    assertEquals(true, dependents[k - 1] < dependents[k], "dependents in increasing order");
                }
            }
        }
    }
}
