package io.shatter.slurm.join;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Connections that never present the token, in the normal suite (a few seconds; the full attack
 * on a real run is the opt-in {@code JoinAttackTest}): the cap closes those over it on arrival, the
 * deadline closes the rest, a stranger that completed TLS hears nothing (no heartbeat), a frame
 * announced over the 4 KiB limit before the token is cut at once, and meanwhile an admitted worker
 * is served and a new one can still join.
 */
class JoinStrangersTest {
    private static final int CAP = 4;
    private static final Duration HELLO_DEADLINE = Duration.ofSeconds(3);
    /** Closed "on arrival" means well before the deadline, with room for a loaded machine. */
    private static final long EARLY_MS = HELLO_DEADLINE.toMillis() / 2;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final JoinSettings SETTINGS = JoinSettings.DEFAULTS
            .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(30)).withUnauthenticated(HELLO_DEADLINE, CAP);

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ExecutorService watchers = Executors.newCachedThreadPool();

    @AfterEach
    void closeAll() throws Exception {
        watchers.shutdownNow();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void strangersAreCappedTimedOutAndToldNothingWhileWorkersAreServed() throws Exception {
        JoinToken token = JoinToken.create(dir.resolve(JoinToken.FILE_NAME));
        JoinTls.ServerIdentity identity = JoinTls.createServer(dir.resolve(JoinTls.FINGERPRINT_FILE), Duration.ofDays(1));
        JoinServer server = new JoinServer("127.0.0.1", 0, token, identity.context(), 1, 2, SETTINGS);
        open.add(server);
        JoinChannelTest.Recorder broker = new JoinChannelTest.Recorder();
        server.start(broker);
        int port = server.address().getPort();
        JoinClient worker = JoinClient.connect("127.0.0.1", port, token, identity.fingerprint(), SETTINGS, WAIT);
        open.add(worker);
        JoinChannelTest.Recorder workerHears = new JoinChannelTest.Recorder();
        worker.start(workerHears);

        // A stranger that completes TLS and announces a 1 GiB frame: cut at once, nothing buffered.
        try (Socket s = tlsSocket(port, identity.fingerprint())) {
            long t = System.nanoTime();
            try {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(1 << 30);
                out.write(new byte[1024]);
                out.flush();
            } catch (IOException cutWhileWriting) {
                // closed before all of it was written: the point
            }
            bytesUntilClosed(s.getInputStream());
            assertTrue(millisSince(t) < EARLY_MS, "the oversized frame was cut after " + millisSince(t) + " ms");
        }
        // Three times the cap in bare TCP at once: those over it closed on arrival, the others at the deadline.
        long start = System.nanoTime();
        List<Future<Long>> closedAfterMs = new ArrayList<>();
        for (int i = 0; i < 3 * CAP; i++) {
            Socket s = socket(new Socket("127.0.0.1", port));
            open.add(s);
            closedAfterMs.add(watchers.submit(() -> {
                assertEquals(0, bytesUntilClosed(s.getInputStream()), "a stranger is sent nothing");
                return millisSince(start);
            }));
        }
        // The admitted worker is served throughout.
        server.send(1, new byte[] {7});
        assertArrayEquals(new byte[] {7}, (byte[]) workerHears.nextFrame()[1]);
        worker.send(0, new byte[] {8});
        assertArrayEquals(new byte[] {8}, (byte[]) broker.nextFrame()[1]);

        int early = 0;
        long latest = 0;
        for (Future<Long> f : closedAfterMs) {
            long ms = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            latest = Math.max(latest, ms);
            if (ms < EARLY_MS) {
                early++;
            }
        }
        assertEquals(2 * CAP, early, "the " + 2 * CAP + " over the cap closed on arrival, the " + CAP + " within it at the deadline");
        assertTrue(latest >= HELLO_DEADLINE.toMillis() - 500, "those within the cap were kept until the deadline: " + latest + " ms");

        // A stranger that completed TLS and stays silent: no heartbeat, no byte at all, closed at the deadline.
        try (Socket s = tlsSocket(port, identity.fingerprint())) {
            long t = System.nanoTime();
            assertEquals(0, bytesUntilClosed(s.getInputStream()), "no heartbeat to a peer without the token");
            assertTrue(millisSince(t) >= HELLO_DEADLINE.toMillis() - 500, "closed after " + millisSince(t) + " ms");
        }
        // The strangers are gone from the count: a second worker joins.
        JoinClient second = JoinClient.connect("127.0.0.1", port, token, identity.fingerprint(), SETTINGS, WAIT);
        open.add(second);
        assertEquals(2, second.rank());
    }

    private static Socket socket(Socket s) throws IOException {
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static Socket tlsSocket(int port, String fingerprint) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, io.netty.handler.ssl.util.FingerprintTrustManagerFactory.builder("SHA-256").fingerprints(fingerprint)
                .build().getTrustManagers(), null);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket(s);
        s.startHandshake();
        return s;
    }

    /** Data bytes read until the peer closed (a reset or TLS alert counts as closed). */
    private static int bytesUntilClosed(InputStream in) {
        int n = 0;
        try {
            while (in.read() >= 0) {
                n++;
            }
        } catch (SocketTimeoutException e) {
            fail("still open after " + WAIT);
        } catch (IOException e) {
            return n;
        }
        return n;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
