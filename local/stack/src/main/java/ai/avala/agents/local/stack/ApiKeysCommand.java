package ai.avala.agents.local.stack;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.config.Configuration;
import ai.avala.agents.store.ApiKeyStore;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code local/api-key}: mints an API key for a tenant into an API-keys table (printing the key once and
 * storing only its SHA-256 hash) or revokes one. Works on the deployed table with the caller's AWS
 * credentials, and on the local stack's with {@code --aws-endpoint}.
 */
public final class ApiKeysCommand {

    static final String USAGE = """
            usage: local/api-key create TENANT --table NAME [--usage-plan ID] [--region R] [--aws-endpoint URL]
                   local/api-key revoke KEY    --table NAME [--region R] [--aws-endpoint URL]
              --table        the API-keys table (output ApiKeysTableName of the stack; ApiKeysTable locally)
              --usage-plan   the stack's TenantUsagePlanId: adds the tenant's usage key to it (needed once per
                             tenant on AWS, where the API throttles each tenant by its key; not locally)
              --region       AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)
              --aws-endpoint an AWS emulator, e.g. the aws_endpoint of local/run's ready file
            """;

    private ApiKeysCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !(args[0].equals("create") || args[0].equals("revoke"))) {
            err.print(USAGE);
            return 2;
        }
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        String table = null;
        String usagePlan = null;
        for (int i = 2; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--table" -> table = value;
                case "--usage-plan" -> usagePlan = value;
                case "--region" -> env.put("AWS_REGION", value);
                case "--aws-endpoint" -> env.put("AWS_ENDPOINT_URL", value);
                default -> {
                    err.println("Unknown option " + args[i]);
                    err.print(USAGE);
                    return 2;
                }
            }
            if (value == null) {
                err.println(args[i] + " needs a value");
                return 2;
            }
            i++;
        }
        if (table == null) {
            err.println("--table is required");
            err.print(USAGE);
            return 2;
        }
        env.values().removeIf(java.util.Objects::isNull);
        String tableName = table;
        Configuration.Aws aws = Configuration.from(env).aws();
        try (var dynamo = AwsClients.dynamoDb(aws)) {
            ApiKeyStore keys = new ApiKeyStore(dynamo, tableName);
            if (args[0].equals("create")) {
                if (!ApiKeyStore.isValidTenant(args[1])) {
                    err.println("A tenant is 1 to 128 letters, digits, '_', '.', ':' or '-'.");
                    return 2;
                }
                if (usagePlan != null) {
                    TenantUsageKeys.add(aws, usagePlan, args[1]);
                    err.println("Tenant " + args[1] + " is throttled by usage plan " + usagePlan + ".");
                }
                String key = ApiKeyStore.newKey();
                keys.register(key, args[1]);
                out.println(key);
                err.println(
                        "API key for tenant " + args[1] + " created. It is shown only now; only its hash is stored.");
                return 0;
            }
            if (keys.revoke(args[1])) {
                err.println("API key revoked.");
                return 0;
            }
            err.println("No such API key.");
            return 1;
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            err.println("Failed: " + e.getMessage());
            return 1;
        }
    }
}
