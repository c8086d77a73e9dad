package ai.avala.agents.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallbackSignerTest {

    @Test
    void sign_shouldMatchTheStandardWebhooksSpecificationVector() {
        // The example of the Standard Webhooks specification.
        String signature = CallbackSigner.sign(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                "{\"test\": 2432232314}");
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void sign_shouldBeAcceptedByTheOfficialVerifier() {
        String secret = CallbackSigner.newSecret();
        long now = Instant.now().getEpochSecond();
        String body = "{\"id\":\"exec_1\",\"type\":\"task.completed\"}";
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of("exec_1"),
                "webhook-timestamp", List.of(Long.toString(now)),
                "webhook-signature", List.of(CallbackSigner.sign(secret, "exec_1", now, body)));

        assertThatCode(() -> new Webhook(secret).verify(body, headers)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Webhook(CallbackSigner.newSecret()).verify(body, headers))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void newSecret_shouldCarryThirtyTwoRandomBytesBehindThePrefix() {
        String secret = CallbackSigner.newSecret();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        assertThat(CallbackSigner.newSecret()).isNotEqualTo(secret);
    }
}
