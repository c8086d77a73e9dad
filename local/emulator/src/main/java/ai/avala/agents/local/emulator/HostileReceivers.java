package ai.avala.agents.local.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Callback receivers that misbehave at the HTTP and TLS level, one loopback port each, for the tests that
 * prove no receiver can break a delivery: each answers every connection the way its {@link Behaviour} says.
 * The TLS ones use a self-signed certificate for {@code localhost} made at start; {@link #trustManager()}
 * trusts it (tests give it to the callback client's constructor, never through the environment).
 */
public final class HostileReceivers implements AutoCloseable {

    /** How a receiver answers, and whether a 2xx status reaches the caller before it misbehaves. */
    public enum Behaviour {
        INVALID_CHUNK_SIZE(true),
        HEADERS_WITHOUT_END(false),
        FLOOD_OF_DISTINCT_HEADERS(false),
        STATUS_LINE_A_BYTE_AT_A_TIME(false),
        BODY_A_BYTE_AT_A_TIME(true),
        CLOSE_DELIMITED_BODY_WITHOUT_END(true),
        GARBAGE(false),
        INTERIM_103_THEN_200(true),
        RESET_MID_BODY(true),
        TLS_HANDSHAKE_A_BYTE_AT_A_TIME(false),
        TLS_HANDSHAKE_STALLED(false),
        TLS_HEALTHY(true);

        private final boolean answers2xx;

        Behaviour(boolean answers2xx) {
            this.answers2xx = answers2xx;
        }

        public boolean answers2xx() {
            return answers2xx;
        }

        public boolean tls() {
            return name().startsWith("TLS_");
        }
    }

    private final Map<Behaviour, ServerSocket> servers = new EnumMap<>(Behaviour.class);
    private final List<Socket> open = new ArrayList<>();
    private final SSLContext serverTls;
    private final X509TrustManager trust;
    private final SSLServerSocket tlsBackend;
    private volatile boolean closed;

    public HostileReceivers() throws Exception {
        KeyStore keys = selfSignedLocalhost();
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(keys);
        trust = (X509TrustManager) trustManagers.getTrustManagers()[0];
        // The real TLS server behind the relay that passes its handshake on a byte at a time.
        tlsBackend = (SSLServerSocket)
                serverTls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        accept(tlsBackend, this::answerHealthy);
        for (Behaviour behaviour : Behaviour.values()) {
            ServerSocket server = behaviour == Behaviour.TLS_HEALTHY || behaviour == Behaviour.TLS_HANDSHAKE_STALLED
                    ? serverTls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress())
                    : new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            servers.put(behaviour, server);
            accept(server, socket -> misbehave(behaviour, socket));
        }
    }

    /** The callback URL of the receiver that behaves as {@code behaviour}. */
    public String url(Behaviour behaviour) {
        return (behaviour.tls() ? "https://localhost:" : "http://127.0.0.1:")
                + servers.get(behaviour).getLocalPort() + "/hook";
    }

    /** Trusts the receivers' self-signed certificate (and nothing else). */
    public X509TrustManager trustManager() {
        return trust;
    }

    /** A client-side TLS context that trusts the receivers. */
    public SSLContext clientTls() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
        return context;
    }

    private interface Answer {
        void on(Socket socket) throws Exception;
    }

    private void accept(ServerSocket server, Answer answer) {
        Thread.ofVirtual().start(() -> {
            while (!closed) {
                try {
                    Socket socket = server.accept();
                    synchronized (open) {
                        open.add(socket);
                    }
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            answer.on(socket);
                        } catch (Exception ignored) {
                            // the client gave up, as it should
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void misbehave(Behaviour behaviour, Socket socket) throws Exception {
        switch (behaviour) {
            case TLS_HANDSHAKE_STALLED -> {
                // An SSL server socket handshakes on first use: never using it stalls the client's handshake.
                Thread.sleep(60_000);
                return;
            }
            case TLS_HANDSHAKE_A_BYTE_AT_A_TIME -> {
                relayDripping(socket);
                return;
            }
            case TLS_HEALTHY -> {
                answerHealthy(socket);
                return;
            }
            default -> readRequest(socket.getInputStream());
        }
        OutputStream out = socket.getOutputStream();
        switch (behaviour) {
            case INVALID_CHUNK_SIZE ->
                write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
            case HEADERS_WITHOUT_END -> {
                write(out, "HTTP/1.1 200 OK\r\n");
                while (!closed) {
                    write(out, "X-Again: " + "a".repeat(1000) + "\r\n");
                }
            }
            case FLOOD_OF_DISTINCT_HEADERS -> {
                write(out, "HTTP/1.1 200 OK\r\n");
                for (int i = 0; !closed; i++) {
                    write(out, "X-Header-" + i + ": " + "v".repeat(4000) + "\r\n");
                }
            }
            case STATUS_LINE_A_BYTE_AT_A_TIME -> drip(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 400);
            case BODY_A_BYTE_AT_A_TIME -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
                drip(out, "{".repeat(1000), 400);
            }
            case CLOSE_DELIMITED_BODY_WITHOUT_END -> {
                write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
                while (!closed) {
                    out.write(chunk);
                }
            }
            case GARBAGE -> write(out, "\u0000\u0001\u0002 this is not HTTP at all \u00ff\r\n\r\n");
            case INTERIM_103_THEN_200 ->
                write(
                        out,
                        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                                + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"action\":\"approve\"}");
            case RESET_MID_BODY -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"partial\":");
                socket.setSoLinger(true, 0);
            }
            default -> throw new IllegalStateException("Unhandled " + behaviour);
        }
        out.flush();
        socket.getInputStream().readAllBytes();
    }

    private void answerHealthy(Socket socket) throws IOException {
        readRequest(socket.getInputStream());
        write(
                socket.getOutputStream(),
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        socket.getOutputStream().flush();
    }

    /** Passes the client's bytes to the real TLS server at once, and the server's back one byte at a time. */
    private void relayDripping(Socket client) throws Exception {
        try (Socket backend = new Socket(InetAddress.getLoopbackAddress(), tlsBackend.getLocalPort())) {
            Thread.ofVirtual().start(() -> {
                try {
                    client.getInputStream().transferTo(backend.getOutputStream());
                } catch (IOException ignored) {
                    // closed
                }
            });
            InputStream fromServer = backend.getInputStream();
            OutputStream toClient = client.getOutputStream();
            for (int b = fromServer.read(); b != -1 && !closed; b = fromServer.read()) {
                toClient.write(b);
                toClient.flush();
                Thread.sleep(200);
            }
        }
    }

    private void drip(OutputStream out, String text, long pauseMillis) throws Exception {
        for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
            if (closed) {
                return;
            }
            out.write(b);
            out.flush();
            Thread.sleep(pauseMillis);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads one request's head and body (by Content-Length). */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 65536 && !head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c == -1) {
                return;
            }
            head.append((char) c);
        }
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                in.readNBytes(Integer.parseInt(line.substring(15).trim()));
            }
        }
    }

    private static final char[] PASSWORD = "hostile-receivers".toCharArray();

    private static KeyStore selfSignedLocalhost() throws Exception {
        Path dir = Files.createTempDirectory("hostile-tls");
        Path file = dir.resolve("receiver.p12");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(
                        keytool,
                        "-genkeypair",
                        "-alias",
                        "receiver",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-keystore",
                        file.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        new String(PASSWORD),
                        "-keypass",
                        new String(PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD);
        }
        Files.delete(file);
        Files.delete(dir);
        return store;
    }

    @Override
    public void close() {
        closed = true;
        try {
            tlsBackend.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        servers.values().forEach(server -> {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        });
        synchronized (open) {
            open.forEach(socket -> {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            });
        }
    }
}
