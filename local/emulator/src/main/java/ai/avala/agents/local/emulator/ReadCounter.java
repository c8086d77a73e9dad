package ai.avala.agents.local.emulator;

import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A DynamoDB client on the shared emulator that counts the items its Queries read (DynamoDB's
 * {@code ScannedCount}: before any filter, what a Query is billed for): for tests that bound what a request reads
 * rather than how long it takes.
 */
public final class ReadCounter implements AutoCloseable {

    private final AtomicLong read = new AtomicLong();
    private final DynamoDbClient client;

    public ReadCounter() {
        client = DynamoDbClient.builder()
                .endpointOverride(LocalAws.shared().aws().endpoint().orElseThrow())
                .region(Region.of(LocalAws.shared().aws().region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                        if (context.response() instanceof QueryResponse query) {
                            read.addAndGet(query.scannedCount());
                        }
                    }
                }))
                .build();
    }

    public DynamoDbClient dynamoDb() {
        return client;
    }

    /** Items read by Queries so far. */
    public long itemsRead() {
        return read.get();
    }

    @Override
    public void close() {
        client.close();
    }
}
