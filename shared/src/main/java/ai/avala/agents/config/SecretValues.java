package ai.avala.agents.config;

import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Secrets read from AWS Secrets Manager, once per container, on first use: a secret never sits in a
 * function's configuration, and a function pays for the read only when a request needs it. Only the
 * functions that use a secret carry the Secrets Manager client in their artifact (the dependency is
 * optional in {@code shared}).
 */
public final class SecretValues {

    private SecretValues() {
    }

    /** The string value of the secret whose ARN is in the environment variable {@code arnVariable}. */
    public static Supplier<String> fromSecretsManager(Environment env, String arnVariable) {
        String arn = env.require(arnVariable);
        return new Supplier<>() {
            private String value;

            @Override
            public synchronized String get() {
                if (value == null) {
                    try (SecretsManagerClient secrets = AwsClients.build(SecretsManagerClient.builder(), env)) {
                        value = secrets.getSecretValue(r -> r.secretId(arn)).secretString();
                    }
                }
                return value;
            }
        };
    }
}
