package ai.avala.agents.config;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds AWS clients from an {@link Environment}. With {@code AWS_ENDPOINT_URL} set (LocalStack,
 * moto) the clients talk to that endpoint; otherwise to AWS with the default credential chain.
 */
public final class AwsClients {

    private static final ProfileFile NO_PROFILE = ProfileFile.aggregator().build();

    private AwsClients() {
    }

    /**
     * Starts building the HTTP client the SDK clients share, on its own thread, so that it is ready by the time
     * they are (see {@link SharedHttpClient}). Called when a function is wired.
     */
    public static void startHttpClient() {
        SharedHttpClient.instance();
    }

    public static DynamoDbClient dynamoDb(Environment env) {
        return build(DynamoDbClient.builder(), env);
    }

    /** Any SDK client (DynamoDB, SQS, ...) on the shared URL-connection HTTP client, configured from {@code env}. */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, Environment env) {
        builder.httpClient(SharedHttpClient.instance())
                .region(region(env))
                .credentialsProvider(credentials(env))
                // Everything a Lambda function needs is explicit: no profile file to look for and parse, no retry
                // mode to resolve from it (a cold start saves the work and the classes).
                .overrideConfiguration(o -> o.defaultProfileFile(NO_PROFILE).defaultProfileName("default")
                        .retryStrategy(RetryMode.STANDARD));
        endpoint(env).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    public static Region region(Environment env) {
        return Region.of(env.optional("AWS_REGION", env.optional("AWS_DEFAULT_REGION", "us-east-1")));
    }

    public static java.util.Optional<URI> endpoint(Environment env) {
        String url = env.values().get("AWS_ENDPOINT_URL");
        return url == null || url.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(URI.create(url));
    }

    /**
     * The credentials of the function's role, from where Lambda puts them: the container endpoint under
     * SnapStart (whose restored environments carry no key variables), the key variables otherwise, without
     * walking the whole default chain; an emulator's are any.
     */
    public static AwsCredentialsProvider credentials(Environment env) {
        if (endpoint(env).isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    env.optional("AWS_ACCESS_KEY_ID", "testing"), env.optional("AWS_SECRET_ACCESS_KEY", "testing")));
        }
        if (env.has("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
            return ContainerCredentialsProvider.create();
        }
        if (env.has("AWS_ACCESS_KEY_ID") && env.has("AWS_SECRET_ACCESS_KEY")) {
            return EnvironmentVariableCredentialsProvider.create();
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
