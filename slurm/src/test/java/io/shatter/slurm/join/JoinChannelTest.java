package io.shatter.slurm.join;

import io.shatter.slurm.SlurmException;
import io.shatter.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JoinChannelTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final JoinSettings FAST = JoinSettings.DEFAULTS.withHeartbeat(Duration.ofMillis(100), Duration.ofMillis(600));
    /** For the tests that count frames, not heartbeats: a loaded machine must not make a worker look lost. */
    private static final JoinSettings PATIENT = JoinSettings.DEFAULTS.withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(30));

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** What a transport delivered, in order. */
    static final class Recorder implements Transport.Receiver {
        final BlockingQueue<Object[]> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Object[]> lost = new LinkedBlockingQueue<>();

        @Override
        public void onFrame(int source, byte[] frame) {
            onFrame(source, Transport.FIXED_LINK, frame);
        }

        @Override
        public void onFrame(int source, long link, byte[] frame) {
            frames.add(new Object[] {source, frame, link});
        }

        @Override
        public void onPeerLost(int rank, String reason) {
            lost.add(new Object[] {rank, reason});
        }

        Object[] nextFrame() throws InterruptedException {
            Object[] f = frames.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(f, "no frame within " + DEADLINE);
            return f;
        }

        Object[] nextLost() throws InterruptedException {
            Object[] l = lost.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(l, "no lost peer reported within " + DEADLINE);
            return l;
        }
    }

    private JoinToken token() {
        return JoinToken.create(dir.resolve(JoinToken.FILE_NAME));
    }

    private String fingerprint;

    private JoinServer server(JoinToken token, int slots, JoinSettings settings, Recorder recorder) {
        JoinTls.ServerIdentity identity = JoinTls.createServer(dir.resolve(JoinTls.FINGERPRINT_FILE), Duration.ofDays(1));
        fingerprint = JoinTls.readFingerprint(dir.resolve(JoinTls.FINGERPRINT_FILE));
        assertEquals(identity.fingerprint(), fingerprint);
        JoinServer s = new JoinServer("127.0.0.1", 0, token, identity.context(), 5, slots, settings);
        open.add(s);
        s.start(recorder);
        return s;
    }

    private JoinClient client(JoinServer s, JoinToken token, JoinSettings settings) {
        JoinClient c = JoinClient.connect("127.0.0.1", s.address().getPort(), token, fingerprint, settings, DEADLINE);
        open.add(c);
        return c;
    }

    @Test
    void tokenFileIsOwnerOnlyAndAnOpenOneIsRefused() throws IOException {
        Path file = dir.resolve(JoinToken.FILE_NAME);
        JoinToken created = JoinToken.create(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(64, Files.readString(file).strip().length());
        assertTrue(JoinToken.read(file).matches(created.bytes()));
        assertFalse(created.toString().contains(Files.readString(file).strip()), "toString hides the secret");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        SlurmException e = assertThrows(SlurmException.class, () -> JoinToken.read(file));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void goodTokenJoinsAndManyFramesArriveInOrderBothWays() throws Exception {
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 2, PATIENT, broker);
        JoinClient c = client(s, JoinToken.read(dir.resolve(JoinToken.FILE_NAME)), PATIENT);
        assertEquals(5, c.rank());
        assertEquals(7, s.size());
        assertEquals(7, c.size());
        Recorder worker = new Recorder();
        c.start(worker);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            c.send(0, ByteBuffer.allocate(4).putInt(i).array());
            s.send(5, ByteBuffer.allocate(4).putInt(-i).array());
        }
        for (int i = 0; i < n; i++) {
            Object[] up = broker.nextFrame();
            assertEquals(5, up[0]);
            assertEquals(i, ByteBuffer.wrap((byte[]) up[1]).getInt(), "worker->broker order");
            Object[] down = worker.nextFrame();
            assertEquals(0, down[0]);
            assertEquals(-i, ByteBuffer.wrap((byte[]) down[1]).getInt(), "broker->worker order");
        }
        assertTrue(broker.lost.isEmpty() && worker.lost.isEmpty());
    }

    @Test
    void largeFramesArriveWhole() throws Exception {
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 1, PATIENT, broker);
        JoinClient c = client(s, token, PATIENT);
        Recorder worker = new Recorder();
        c.start(worker);
        Random random = new Random(42);
        List<byte[]> sent = new ArrayList<>();
        for (int size : new int[] {1, 65_536, 8 << 20, 33 << 20}) {
            byte[] f = new byte[size];
            random.nextBytes(f);
            sent.add(f);
            c.send(0, f);
            s.send(c.rank(), f);
        }
        for (byte[] f : sent) {
            assertArrayEquals(f, (byte[]) broker.nextFrame()[1]);
            assertArrayEquals(f, (byte[]) worker.nextFrame()[1]);
        }
    }

    @Test
    void wrongTokenIsRefusedAndLoggedWithoutTheToken() throws Exception {
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 1, FAST, broker);
        String guess = "0123456789abcdef-a-guess-that-must-not-appear-in-the-log";
        Path logFile = Path.of("target/slurm-tests.log"); // see src/test/resources/simplelogger.properties
        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        SlurmException e = assertThrows(SlurmException.class,
                () -> JoinClient.connect("127.0.0.1", s.address().getPort(), JoinToken.of(guess), fingerprint, FAST, DEADLINE));
        assertTrue(e.getMessage().contains("refused this worker: wrong token"), e.getMessage());
        byte[] all = Files.readAllBytes(logFile);
        String logged = new String(all, (int) logStart, all.length - (int) logStart, StandardCharsets.UTF_8);
        assertTrue(logged.contains("refused: wrong token"), logged);
        assertFalse(logged.contains(guess) || logged.contains("a-guess"), "the presented token is not logged: " + logged);
        assertTrue(s.joinedRanks().isEmpty());
        assertTrue(broker.lost.isEmpty(), "a refused connection was never a peer");
        // The server carries on: the right token still joins.
        assertEquals(5, client(s, token, FAST).rank());
    }

    @Test
    void oversizedFrameClosesThatConnectionOnly() throws Exception {
        JoinSettings small = FAST.withMaxFrameBytes(1024);
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 2, small, broker);
        JoinClient big = client(s, token, small.withMaxFrameBytes(1 << 20));
        JoinClient fine = client(s, token, small);
        big.start(new Recorder());
        fine.start(new Recorder());
        big.send(0, new byte[4096]);
        Object[] lost = broker.nextLost();
        assertEquals(big.rank(), lost[0]);
        assertTrue(((String) lost[1]).contains("oversized frame"), (String) lost[1]);
        // Exactly at the limit is fine, and the other worker is untouched.
        fine.send(0, new byte[1024]);
        Object[] f = broker.nextFrame();
        assertEquals(fine.rank(), f[0]);
        assertEquals(1024, ((byte[]) f[1]).length);
        assertEquals(List.of(fine.rank()), s.joinedRanks());

        // An unauthenticated connection announcing 1 GiB is cut before anything is read.
        try (Socket raw = tlsSocket(s)) {
            new DataOutputStream(raw.getOutputStream()).writeInt(1 << 30);
            assertEquals(-1, raw.getInputStream().read(), "the server closes the connection");
        }
        assertEquals(List.of(fine.rank()), s.joinedRanks());
    }

    @Test
    void malformedFramesCloseTheConnection() throws Exception {
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 1, FAST, broker);
        for (byte[] body : List.of(new byte[0], new byte[] {JoinProtocol.DATA, 1, 2, 3}, new byte[] {99})) {
            try (Socket raw = tlsSocket(s)) {
                DataOutputStream out = new DataOutputStream(raw.getOutputStream());
                out.writeInt(body.length);
                out.write(body);
                out.flush();
                assertEquals(-1, drainUntilClosed(raw), "closed after " + Arrays.toString(body));
            }
        }
        // An admitted worker sending an unknown frame type is lost.
        try (Socket raw = joinRaw(s, token)) {
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            out.writeInt(1);
            out.write(77);
            out.flush();
            Object[] lost = broker.nextLost();
            assertTrue(((String) lost[1]).contains("unknown type 77"), (String) lost[1]);
        }
        assertEquals(5, client(s, token, FAST).rank(), "the server carries on and the slot is free again");
    }

    @Test
    void workerWhoseHeartbeatStopsIsLost() throws Exception {
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 1, FAST, broker);
        long start = System.nanoTime();
        try (Socket silent = joinRaw(s, token)) {
            Object[] lost = broker.nextLost();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(5, lost[0]);
            assertTrue(((String) lost[1]).startsWith("no heartbeat for 0.6 s"), (String) lost[1]);
            assertTrue(ms >= 500, "not before the timeout: " + ms + " ms");
            assertEquals(-1, drainUntilClosed(silent));
        }
        // A live client sends heartbeats by itself, so it stays well past the timeout.
        JoinClient live = client(s, token, FAST);
        Recorder worker = new Recorder();
        live.start(worker);
        assertEquals(null, broker.lost.poll(2, TimeUnit.SECONDS), "a heartbeating worker is not lost");
        assertEquals(List.of(5), s.joinedRanks());
    }

    @Test
    void brokerWhoseHeartbeatStopsIsLostForTheWorker() throws Exception {
        JoinToken token = token();
        // A broker whose heartbeats are an hour apart is, to a worker expecting one every 0.1 s, silent.
        JoinServer quiet = server(token, 1, FAST.withHeartbeat(Duration.ofHours(1), Duration.ofHours(2)), new Recorder());
        JoinClient c = client(quiet, token, FAST);
        Recorder worker = new Recorder();
        c.start(worker);
        Object[] lost = worker.nextLost();
        assertEquals(0, lost[0]);
        assertTrue(((String) lost[1]).contains("no heartbeat from the broker"), (String) lost[1]);
    }

    @Test
    void joinSlotsAreLimitedAndTakenAgainAfterALoss() throws Exception {
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 1, FAST, broker);
        JoinClient first = JoinClient.connect("127.0.0.1", s.address().getPort(), token, fingerprint, FAST, DEADLINE);
        SlurmException full = assertThrows(SlurmException.class, () -> client(s, token, FAST));
        assertTrue(full.getMessage().contains("all 1 join slots are taken"), full.getMessage());
        first.close();
        Object[] lost = broker.nextLost();
        assertEquals(5, lost[0]);
        assertEquals(5, client(s, token, FAST).rank(), "the freed rank is given to the next worker");
    }

    @Test
    void cuttingALinkSparesTheNextWorkerOnTheSameRank() throws Exception {
        JoinToken token = token();
        Recorder broker = new Recorder();
        JoinServer s = server(token, 1, PATIENT, broker);
        JoinClient first = JoinClient.connect("127.0.0.1", s.address().getPort(), token, fingerprint, PATIENT, DEADLINE);
        first.start(new Recorder());
        first.send(0, new byte[] {1});
        long firstLink = (long) broker.nextFrame()[2];
        first.close();
        assertEquals(5, broker.nextLost()[0]);

        // Rank 5 again, for a new worker: a malformed frame of the first one, decoded only now, must not cut it.
        JoinClient second = client(s, token, PATIENT);
        assertEquals(5, second.rank());
        Recorder secondHears = new Recorder();
        second.start(secondHears);
        second.send(0, new byte[] {2});
        long secondLink = (long) broker.nextFrame()[2];
        assertNotEquals(firstLink, secondLink, "each connection has its own link");
        assertTrue(s.disconnect(5, firstLink, "malformed frame from the first worker"));
        // A close is queued on the connection's event loop before this send: the reply proves the link still open.
        s.send(5, new byte[] {3});
        assertArrayEquals(new byte[] {3}, (byte[]) secondHears.nextFrame()[1]);
        second.send(0, new byte[] {4});
        assertArrayEquals(new byte[] {4}, (byte[]) broker.nextFrame()[1]);
        assertTrue(broker.lost.isEmpty(), "the second worker was not reported lost");

        assertTrue(s.disconnect(5, secondLink, "malformed frame from the second worker"));
        Object[] lost = broker.nextLost();
        assertEquals(5, lost[0]);
        assertEquals("malformed frame from the second worker", lost[1]);
    }

    @Test
    void unreachableBrokerGivesAClearMessage() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        SlurmException e = assertThrows(SlurmException.class,
                () -> JoinClient.connect("127.0.0.1", port, JoinToken.of("x"), "00".repeat(32), FAST, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("cannot connect to the broker at 127.0.0.1:" + port), e.getMessage());
    }

    /** A raw socket that presents the token and reads the welcome, then does nothing by itself. */
    private Socket joinRaw(JoinServer s, JoinToken token) throws IOException {
        Socket raw = tlsSocket(s);
        raw.setSoTimeout((int) DEADLINE.toMillis());
        DataOutputStream out = new DataOutputStream(raw.getOutputStream());
        byte[] t = token.bytes();
        out.writeInt(1 + t.length);
        out.write(JoinProtocol.HELLO);
        out.write(t);
        out.flush();
        DataInputStream in = new DataInputStream(raw.getInputStream());
        int len = in.readInt();
        assertEquals(9, len);
        assertEquals(JoinProtocol.WELCOME, in.readByte());
        in.readFully(new byte[8]);
        return raw;
    }

    /** A TLS 1.3 socket to the server that trusts its certificate by fingerprint, handshake done. */
    Socket tlsSocket(JoinServer s) throws IOException {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
            context.init(null, io.netty.handler.ssl.util.FingerprintTrustManagerFactory.builder("SHA-256").fingerprints(fingerprint)
                    .build().getTrustManagers(), null);
            javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                    .createSocket("127.0.0.1", s.address().getPort());
            socket.setSoTimeout((int) DEADLINE.toMillis());
            socket.startHandshake();
            return socket;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** Reads (heartbeats, a refusal) until the server closes the connection; returns -1 then. */
    private static int drainUntilClosed(Socket raw) throws IOException {
        try {
            while (raw.getInputStream().read() >= 0) {
                // skip
            }
            return -1;
        } catch (EOFException | java.net.SocketException | javax.net.ssl.SSLException e) {
            return -1; // reset by the server: closed as well
        }
    }
}
