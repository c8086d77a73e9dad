package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.store.ApiKeyStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;

class ApiKeysCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = ApiKeysCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void createAndRevoke_shouldMintAWorkingKeyAndThenShutItOut() throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of(), false))) {
            String endpoint = stack.awsEndpoint();

            Run created = run("create", "tenant_ops", "--table", "ApiKeysTable", "--aws-endpoint", endpoint);
            ApiClient api = new ApiClient(stack.apiUrl(), created.out());
            int before = api.get("/agents/").status();
            Run revoked = run("revoke", created.out(), "--table", "ApiKeysTable", "--aws-endpoint", endpoint);
            int after = api.get("/agents/").status();
            Run again = run("revoke", created.out(), "--table", "ApiKeysTable", "--aws-endpoint", endpoint);

            assertThat(created.exit()).isZero();
            assertThat(created.out()).matches("avk_[A-Za-z0-9_-]{43}");
            assertThat(created.err()).doesNotContain(created.out());
            assertThat(before).isEqualTo(200);
            assertThat(revoked.exit()).isZero();
            assertThat(after).isEqualTo(401);
            assertThat(again.exit()).isEqualTo(1);
        }
    }

    @Test
    void createWithUsagePlan_shouldPutTheTenantsUsageKeyInThePlanOnce() throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of(), false));
                var apigateway = AwsClients.build(ApiGatewayClient.builder(), LocalAws.awsFor(stack.awsEndpoint()))) {
            String plan = apigateway.createUsagePlan(r -> r.name("tenants")).id();
            String endpoint = stack.awsEndpoint();

            Run first = run(
                    "create",
                    "tenant_plan",
                    "--table",
                    "ApiKeysTable",
                    "--usage-plan",
                    plan,
                    "--aws-endpoint",
                    endpoint);
            Run second = run(
                    "create",
                    "tenant_plan",
                    "--table",
                    "ApiKeysTable",
                    "--usage-plan",
                    plan,
                    "--aws-endpoint",
                    endpoint);

            assertThat(first.exit()).isZero();
            assertThat(second.exit()).isZero();
            var inPlan = apigateway.getUsagePlanKeys(r -> r.usagePlanId(plan)).items();
            assertThat(inPlan).hasSize(1);
            assertThat(inPlan.get(0).value()).isEqualTo(ApiKeyStore.usageKey("tenant_plan"));
            assertThat(new ApiClient(stack.apiUrl(), second.out())
                            .get("/agents/")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void create_shouldRefuseATenantThatCannotBePartOfAKey() {
        Run run = run("create", "x".repeat(129), "--table", "ApiKeysTable");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("1 to 128");
    }

    @Test
    void badArguments_shouldPrintUsageAndExit2() {
        assertThat(run().exit()).isEqualTo(2);
        assertThat(run("create", "t").err()).contains("--table is required");
        assertThat(run("delete", "t", "--table", "x").err()).contains("usage:");
        assertThat(run("create", "t", "--table").exit()).isEqualTo(2);
    }
}
