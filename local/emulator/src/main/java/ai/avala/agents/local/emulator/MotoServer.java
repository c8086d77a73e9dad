package ai.avala.agents.local.emulator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code python3 -m moto.server} process on a free loopback port, stopped with {@link #close()}. It runs in a
 * session of its own (through {@code setsid} where there is one), so that a terminal's Ctrl-C reaches only
 * the JVM, which stops moto last, after everything that talks to it; a shutdown hook stops it otherwise.
 */
public final class MotoServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;
    private volatile boolean stoppedByOwner;

    private MotoServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static MotoServer start() {
        String python = System.getenv().getOrDefault("PYTHON", "python3");
        try {
            int port = freePort();
            Path log = Files.createTempFile("moto-", ".log");
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                command.add("/usr/bin/setsid");
            }
            command.addAll(List.of(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", Integer.toString(port)));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            MotoServer server = new MotoServer(process, port, log);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (!server.stoppedByOwner) {
                    server.close();
                }
            }));
            server.awaitReady(Duration.ofSeconds(30));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start moto (" + python + " -m moto.server): " + e.getMessage(), e);
        }
    }

    /**
     * Leaves stopping moto at exit to the caller, which stops what uses it first (shutdown hooks run at once,
     * in no order, so moto's own would stop it under running functions).
     */
    public void stopsWithOwner() {
        stoppedByOwner = true;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto exited early; is it installed (pip install 'moto[server]')? Log: "
                        + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        close();
        throw new IllegalStateException("moto did not start listening within " + limit.toSeconds() + " s");
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for moto");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
