package ai.avala.agents.aws;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.lambda.Background;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Secrets read from AWS Secrets Manager, once per container: a secret never sits in a function's
 * configuration. The read starts when the function is wired, on its own thread (see {@link Background}), so
 * that a request that needs the secret rarely waits for it; a read that failed is tried again by the next
 * request that needs it. Only the functions that use a secret carry the Secrets Manager client in their
 * artifact (the dependency is optional in {@code shared}).
 */
public final class SecretValues {

    private SecretValues() {}

    /** The string value of the secret {@code arn}. */
    public static Supplier<String> fromSecretsManager(Configuration.Aws aws, String arn) {
        Supplier<String> read = () -> {
            try (SecretsManagerClient secrets = AwsClients.build(SecretsManagerClient.builder(), aws)) {
                return secrets.getSecretValue(r -> r.secretId(arn)).secretString();
            }
        };
        return new Supplier<>() {
            private CompletableFuture<String> value = Background.start("secret-read", read);

            @Override
            public synchronized String get() {
                try {
                    return Background.await(value);
                } catch (RuntimeException e) {
                    value = Background.start("secret-read", read);
                    throw e;
                }
            }
        };
    }
}
