package ai.avala.agents.aws;

import ai.avala.agents.config.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds AWS clients for a {@link Configuration.Aws}. With an endpoint override (LocalStack, moto) the clients
 * talk to that endpoint; otherwise to AWS with the function's role credentials.
 */
public final class AwsClients {

    private static final ProfileFile NO_PROFILE = ProfileFile.aggregator().build();

    private AwsClients() {}

    /**
     * Starts building the HTTP client the SDK clients share, on its own thread, so that it is ready by the time
     * they are (see {@link SharedHttpClient}). Called when a function is wired.
     */
    public static void startHttpClient() {
        SharedHttpClient.instance();
    }

    public static DynamoDbClient dynamoDb(Configuration.Aws aws) {
        return build(DynamoDbClient.builder(), aws);
    }

    /** Any SDK client (DynamoDB, SQS, ...) on the shared URL-connection HTTP client. */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(
            B builder, Configuration.Aws aws) {
        builder.httpClient(SharedHttpClient.instance())
                .region(Region.of(aws.region()))
                .credentialsProvider(credentials(aws.credentials()))
                // Everything a Lambda function needs is explicit: no profile file to look for and parse, no retry
                // mode to resolve from it (a cold start saves the work and the classes).
                .overrideConfiguration(o -> o.defaultProfileFile(NO_PROFILE)
                        .defaultProfileName("default")
                        .retryStrategy(RetryMode.STANDARD));
        aws.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /**
     * The credentials of the function's role, from where Lambda puts them: the container endpoint under
     * SnapStart (whose restored environments carry no key variables), the key variables otherwise, without
     * walking the whole default chain; an emulator's are any.
     */
    private static AwsCredentialsProvider credentials(Configuration.Credentials credentials) {
        return switch (credentials) {
            case Configuration.Credentials.Keys keys ->
                StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey()));
            case Configuration.Credentials.Container container -> ContainerCredentialsProvider.create();
            case Configuration.Credentials.EnvironmentKeys keys -> EnvironmentVariableCredentialsProvider.create();
            case Configuration.Credentials.DefaultChain chain ->
                DefaultCredentialsProvider.builder().build();
        };
    }
}
