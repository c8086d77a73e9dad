package ai.avala.agents.functions.authorizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LambdaEvents;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.store.ApiKeyStore;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuthorizerHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("AuthorizerFunction", Map.of());
    private final AuthorizerHandler handler = new AuthorizerHandler(WIRING);
    private final ApiKeyStore keys = WIRING.apiKeys();

    /** The authorizer's answer to {@code event}, sent as the JSON Lambda sends. */
    private Map<String, Object> authorize(APIGatewayCustomAuthorizerEvent event) {
        return handler.authorize(
                Json.parse(new String(LambdaEvents.toJson(event), java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static APIGatewayCustomAuthorizerEvent sample(String key) {
        var event = EventLoader.loadEvent(LocalAws.eventFile("authorizer.json"), APIGatewayCustomAuthorizerEvent.class);
        var headers = new HashMap<>(event.getHeaders());
        headers.remove("X-Avala-Api-Key");
        if (key != null) {
            headers.put("x-avala-api-key", key);
        }
        event.setHeaders(headers);
        return event;
    }

    @Test
    @SuppressWarnings("unchecked")
    void handleRequest_shouldAllowTheWholeStageForTheKeysTenant() {
        String tenant = "tenant_" + UUID.randomUUID();
        String key = ApiKeyStore.newKey();
        keys.register(key, tenant);

        Map<String, Object> result = authorize(sample(key));

        assertThat(result.get("principalId")).isEqualTo(tenant);
        assertThat(result.get("context")).isEqualTo(Map.of("tenant", tenant));
        var statement = ((List<Map<String, Object>>)
                        ((Map<String, Object>) result.get("policyDocument")).get("Statement"))
                .get(0);
        assertThat(statement.get("Effect")).isEqualTo("Allow");
        assertThat(statement.get("Resource")).isEqualTo("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*");
    }

    @Test
    void handleRequest_shouldNameEachTenantsOwnUsageKey_soThatApiGatewayThrottlesTenantsApart() {
        String tenant = "tenant_" + UUID.randomUUID();
        String other = "tenant_" + UUID.randomUUID();
        String key = ApiKeyStore.newKey();
        String otherKey = ApiKeyStore.newKey();
        String secondKeyOfTenant = ApiKeyStore.newKey();
        keys.register(key, tenant);
        keys.register(otherKey, other);
        keys.register(secondKeyOfTenant, tenant);

        Object usage = authorize(sample(key)).get("usageIdentifierKey");
        Object otherUsage = authorize(sample(otherKey)).get("usageIdentifierKey");
        Object secondUsage = authorize(sample(secondKeyOfTenant)).get("usageIdentifierKey");

        assertThat(usage)
                .isEqualTo(ApiKeyStore.usageKey(tenant))
                .isEqualTo(secondUsage)
                .isNotEqualTo(otherUsage);
        // API Gateway API key values are 20 to 128 characters.
        assertThat((String) usage).hasSizeBetween(20, 128).doesNotContain(key);
    }

    @Test
    void handleRequest_shouldFailWithUnauthorized_whenTheKeyIsUnknownRevokedOrMissing() {
        String key = ApiKeyStore.newKey();
        keys.register(key, "tenant_" + UUID.randomUUID());
        keys.revoke(key);

        assertThatThrownBy(() -> authorize(sample(key))).hasMessage("Unauthorized");
        assertThatThrownBy(() -> authorize(sample("avk_unknown"))).hasMessage("Unauthorized");
        assertThatThrownBy(() -> authorize(sample(null))).hasMessage("Unauthorized");
    }

    @Test
    void sampleEvent_shouldCarryOnlyAPlaceholderKey() {
        assertThat(EventLoader.loadEvent(LocalAws.eventFile("authorizer.json"), APIGatewayCustomAuthorizerEvent.class)
                        .getHeaders()
                        .get("X-Avala-Api-Key"))
                .isEqualTo("avk_sample_key_not_real");
        assertThatThrownBy(() -> handler.authorize(Json.parse(
                        java.nio.file.Files.readString(java.nio.file.Path.of(LocalAws.eventFile("authorizer.json"))))))
                .hasMessage("Unauthorized");
    }
}
