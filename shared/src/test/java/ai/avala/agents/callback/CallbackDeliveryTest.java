package ai.avala.agents.callback;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One deadline for a whole callback: the resolution of its host counts against it. */
class CallbackDeliveryTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private HttpServer receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private CallbackOutcome send(UrlGuard.Resolver resolver) {
        var delivery = new CallbackDelivery(
                new UrlGuard(true, resolver), new CallbackHttpClient(Duration.ofSeconds(2), 1024), Clock.systemUTC());
        return delivery.send(
                "http://hooks.test:" + receiver.getAddress().getPort() + "/h",
                List.of(SECRET),
                "exec_01M8Y000000000000000000000",
                "task.completed",
                "agent_01M8Y000000000000000000000",
                Map.of());
    }

    private static UrlGuard.Resolver answeringAfter(long millis) {
        return host -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        };
    }

    @Test
    void aReceiverAnsweringWithinTheDeadline_shouldSucceed() {
        assertThat(send(answeringAfter(0))).isInstanceOf(CallbackOutcome.Succeeded.class);
    }

    @Test
    void aSlowResolutionAndAnAnswerThatTogetherPassTheDeadline_shouldTimeOut() {
        // 1.5 s to resolve and 1 s to answer: each within the 2 s deadline, together past it.
        assertThat(send(answeringAfter(1500)))
                .isInstanceOfSatisfying(
                        CallbackOutcome.Unanswered.class,
                        unanswered -> assertThat(unanswered.error()).contains("timed out"));
    }

    @Test
    void aResolverThatHangs_shouldEndTheCallbackAtItsDeadline() {
        assertThat(send(answeringAfter(60_000)))
                .isInstanceOfSatisfying(
                        CallbackOutcome.Unanswered.class,
                        unanswered -> assertThat(unanswered.error()).contains("did not resolve within 2000 ms"));
    }
}
