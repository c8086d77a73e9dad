package ai.avala.agents.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The callback client against a loopback socket that answers exactly the bytes each test gives. */
class CallbackHttpClientTest {

    private final CallbackHttpClient client = new CallbackHttpClient(Duration.ofSeconds(2), 64);
    private ServerSocket server;
    private final CompletableFuture<String> request = new CompletableFuture<>();

    /** Serves one connection: reads the request, writes {@code answer}, and keeps the socket open if asked. */
    private UrlGuard.Target serve(String answer, boolean keepOpen) throws IOException {
        return serve(answer, keepOpen, "127.0.0.1", "/hook?a=1");
    }

    private UrlGuard.Target serve(String answer, boolean keepOpen, String host, String path) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket socket = server.accept()) {
                request.complete(readRequest(socket.getInputStream()));
                socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                if (keepOpen) {
                    Thread.sleep(5000);
                }
            } catch (IOException | InterruptedException ignored) {
                // the test is over
            }
        });
        return new UrlGuard.Target(
                URI.create("http://" + host + ":" + server.getLocalPort() + path),
                host,
                server.getLocalPort(),
                false,
                List.of(InetAddress.getLoopbackAddress()));
    }

    private static String readRequest(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        int contentLength = 0;
        while (!text.toString().endsWith("\r\n\r\n")) {
            text.append((char) in.read());
        }
        for (String line : text.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).trim());
            }
        }
        return text + new String(in.readNBytes(contentLength), StandardCharsets.UTF_8);
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    @Test
    void post_shouldSendTheBodyAndHeadersAndReadAContentLengthAnswer() throws Exception {
        var target = serve(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"action\":\"ok\"}\n",
                true);

        HttpReply reply = client.post(target, Map.of("webhook-id", "exec_1"), "{\"x\":1}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"action\":\"ok\"}\n");
        assertThat(reply.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.get())
                .startsWith("POST /hook?a=1 HTTP/1.1\r\n")
                .contains("Host: 127.0.0.1:" + target.port())
                .contains("webhook-id: exec_1")
                .contains("Accept-Encoding: identity")
                .endsWith("{\"x\":1}");
    }

    @Test
    void post_shouldConnectToThePinnedAddressWithoutLookingTheNameUpAgain_andPercentEncodeThePath() throws Exception {
        var target = serve("HTTP/1.1 204 No Content\r\n\r\n", false, "receiver.invalid", "/caf\u00e9/x?q=\u00e9");

        HttpReply reply = client.post(target, Map.of(), "{}");

        assertThat(reply.status()).isEqualTo(204);
        assertThat(request.get())
                .startsWith("POST /caf%C3%A9/x?q=%C3%A9 HTTP/1.1\r\n")
                .contains("Host: receiver.invalid:" + target.port());
    }

    @Test
    void post_shouldNotWaitForABodyAfterA204EvenIfTheConnectionStaysOpen() throws Exception {
        var target = serve("HTTP/1.1 204 No Content\r\n\r\n", true);

        long start = System.nanoTime();
        HttpReply reply = client.post(target, Map.of(), "{}");

        assertThat(reply.status()).isEqualTo(204);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void post_shouldDecodeChunkedAnswersAndKeepOnlyTheFirstBytesOfLargeOnes() throws Exception {
        String big = "x".repeat(100);
        var target = serve(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n64\r\n" + big + "\r\n0\r\n\r\n",
                false);

        HttpReply reply = client.post(target, Map.of(), "{}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.truncated()).isTrue();
        assertThat(reply.body()).isNull();
    }

    @Test
    void post_shouldGiveUpAtTheDeadline_whenTheReceiverNeverAnswers() throws Exception {
        var target = serve("", true);

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.post(target, Map.of(), "{}"))
                .isInstanceOf(IOException.class)
                .hasMessage("Callback timed out after 2000 ms.");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3000));
    }

    @Test
    void post_shouldFail_whenTheReceiverHangsUpOrAnswersGarbage() throws Exception {
        var hangUp = serve("", false);
        assertThatThrownBy(() -> client.post(hangUp, Map.of(), "{}"))
                .isInstanceOf(IOException.class)
                .hasMessage("Callback connection failed.");
        server.close();
        var garbage = serve("SSH-2.0-OpenSSH\r\n\r\n", false);
        assertThatThrownBy(() -> client.post(garbage, Map.of(), "{}")).hasMessageContaining("not valid HTTP");
    }
}
