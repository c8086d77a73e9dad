package ai.avala.agents.local.stack;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.config.Configuration;
import ai.avala.agents.store.ApiKeyStore;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.apigateway.model.ConflictException;

/**
 * A tenant's API Gateway API key, whose value the authorizer returns as the usage identifier, in the
 * template's usage plan: without it API Gateway refuses the tenant's requests (403), with it each tenant
 * is throttled on its own. Idempotent: a second run for the same tenant finds the key and the plan entry.
 */
final class TenantUsageKeys {

    private TenantUsageKeys() {}

    static void add(Configuration.Aws aws, String usagePlanId, String tenant) {
        String name = "tenant-" + tenant;
        try (ApiGatewayClient apigateway = AwsClients.build(ApiGatewayClient.builder(), aws)) {
            String keyId = apigateway.getApiKeys(r -> r.nameQuery(name).includeValues(false)).items().stream()
                    .filter(key -> name.equals(key.name()))
                    .map(key -> key.id())
                    .findFirst()
                    .orElseGet(() -> apigateway
                            .createApiKey(r -> r.name(name)
                                    .enabled(true)
                                    .value(ApiKeyStore.usageKey(tenant))
                                    .description(
                                            "Usage key of tenant " + tenant + " (throttling only; not a credential)"))
                            .id());
            try {
                apigateway.createUsagePlanKey(
                        r -> r.usagePlanId(usagePlanId).keyId(keyId).keyType("API_KEY"));
            } catch (ConflictException alreadyInPlan) {
                // The tenant's key is in the plan already.
            }
        }
    }
}
