package io.shatter.benchmarks;

import io.shatter.slurm.join.JoinClient;
import io.shatter.slurm.join.JoinServer;
import io.shatter.slurm.join.JoinSettings;
import io.shatter.slurm.join.JoinTls;
import io.shatter.slurm.join.JoinToken;
import io.shatter.transport.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * What TLS costs the join channel: a broker ({@link JoinServer}) and a joined worker
 * ({@link JoinClient}) on loopback in this JVM, with {@code tls=true} (the runs' channel: TLS 1.3,
 * pinned per-run certificate) and {@code tls=false} (plain TCP, as before issue 19) side by side
 * in one run. {@link #roundTrip}: a frame of {@code bytes} to the broker and its echo back
 * (latency, microseconds per round trip); with {@code bytes=1048576} the same gives the bulk rate
 * (a state handed over), 2 MiB moved per operation.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JoinChannelBenchmark -f 1 -wi 3 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JoinChannelBenchmark {
    @Param({"true", "false"})
    public boolean tls;

    @Param({"64", "1048576"})
    public int bytes;

    private Path dir;
    private JoinServer server;
    private JoinClient client;
    private final SynchronousQueue<byte[]> echoed = new SynchronousQueue<>();
    private byte[] frame;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("join-bench");
        JoinToken token = JoinToken.create(dir.resolve(JoinToken.FILE_NAME));
        String fingerprint = null;
        io.netty.handler.ssl.SslContext context = null;
        if (tls) {
            JoinTls.ServerIdentity identity = JoinTls.createServer(dir.resolve(JoinTls.FINGERPRINT_FILE), Duration.ofDays(1));
            context = identity.context();
            fingerprint = identity.fingerprint();
        }
        server = new JoinServer("127.0.0.1", 0, token, context, 1, 1, JoinSettings.DEFAULTS);
        server.start(new Transport.Receiver() {
            @Override
            public void onFrame(int source, byte[] f) {
                server.send(source, f); // the broker echoes
            }
        });
        client = JoinClient.connect("127.0.0.1", server.address().getPort(), token, fingerprint, JoinSettings.DEFAULTS,
                Duration.ofSeconds(30));
        client.start(new Transport.Receiver() {
            @Override
            public void onFrame(int source, byte[] f) {
                try {
                    echoed.put(f);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        frame = new byte[bytes];
        new java.util.Random(1).nextBytes(frame);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        server.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public byte[] roundTrip() throws InterruptedException {
        client.send(0, frame);
        byte[] back = echoed.poll(30, TimeUnit.SECONDS);
        if (back == null || back.length != bytes) {
            throw new IllegalStateException("no echo within 30 s");
        }
        return back;
    }
}
