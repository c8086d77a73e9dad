package ai.avala.agents.local.stack;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.store.ApiKeyStore;
import java.util.Map;

/** Tenants of a running local stack: each gets a fresh API key, registered as {@code local/api-key} would. */
final class StackTenants {

    private final DevStack stack;
    private final ApiKeyStore keys;

    StackTenants(DevStack stack) {
        this.stack = stack;
        var env = FunctionEnvironment.of(stack.resources(), "AuthorizerFunction", Map.of());
        this.keys = new ApiKeyStore(AwsClients.dynamoDb(stack.resources().aws()), env.get("API_KEYS_TABLE"));
    }

    /** An API client of {@code tenant}, with a key registered for it now. */
    ApiClient apiOf(String tenant) {
        String key = ApiKeyStore.newKey();
        keys.register(key, tenant);
        return new ApiClient(stack.apiUrl(), key);
    }
}
