package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The agents-per-tenant quota, set as an operator would: {@code local/run --env MAX_AGENTS_PER_TENANT=3}. */
class TenantQuotaTest {

    @Test
    void create_shouldAnswer400WithDetail_whenTheTenantHasItsMostAgents_andAgainAfterOneIsDeleted() throws Exception {
        Options options = Options.parse(new String[] {
            "--port",
            "0",
            "--env",
            "MAX_AGENTS_PER_TENANT=3",
            "--api-key",
            "full=avk_quota_full_tenant_key_0000000000000000000000",
            "--api-key",
            "other=avk_quota_other_tenant_key_000000000000000000000"
        });
        try (DevStack stack = DevStack.start(options)) {
            var full = new ApiClient(stack.apiUrl(), "avk_quota_full_tenant_key_0000000000000000000000");
            var other = new ApiClient(stack.apiUrl(), "avk_quota_other_tenant_key_000000000000000000000");
            String first = null;
            for (int i = 0; i < 3; i++) {
                var created = full.post("/agents/", "{\"name\": \"agent " + i + "\"}");
                assertThat(created.status()).as(created.text()).isEqualTo(201);
                first = first == null ? created.json().get("uid").asText() : first;
            }

            var refused = full.post("/agents/", "{\"name\": \"one too many\"}");
            var othersFirst = other.post("/agents/", "{\"name\": \"unaffected\"}");
            var deleted = full.delete("/agents/" + first + "/");
            var afterDelete = full.post("/agents/", "{\"name\": \"fits again\"}");
            var refusedAgain = full.post("/agents/", "{\"name\": \"one too many again\"}");

            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.detail()).contains("3 agents");
            assertThat(othersFirst.status()).isEqualTo(201);
            assertThat(deleted.status()).isEqualTo(204);
            assertThat(afterDelete.status()).isEqualTo(201);
            assertThat(refusedAgain.status()).isEqualTo(400);
            assertThat(full.get("/agents/?limit=100").json().get("results")).hasSize(3);
        }
    }
}
