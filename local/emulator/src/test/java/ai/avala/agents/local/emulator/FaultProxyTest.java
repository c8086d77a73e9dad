package ai.avala.agents.local.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.local.emulator.FaultProxy.Kind;
import ai.avala.agents.local.emulator.FaultProxy.Settings;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** The fault proxy fails requests as DynamoDB and SQS do, below the real SDK clients and their retries. */
class FaultProxyTest {

    private static final String TABLE = "ExecutionsTable";

    private static void through(Settings settings, Consumer<DynamoDbClient> use) {
        try (FaultProxy proxy = FaultProxy.start(
                        LocalAws.shared().aws().endpoint().orElseThrow().toString(), settings);
                DynamoDbClient dynamo = AwsClients.dynamoDb(LocalAws.awsFor(proxy.endpoint()))) {
            use.accept(dynamo);
        }
    }

    private static Map<String, AttributeValue> key(String uid) {
        return Map.of("agent", AttributeValue.fromS("agent_fault"), "uid", AttributeValue.fromS(uid));
    }

    private static boolean stored(String uid) {
        try (DynamoDbClient direct = AwsClients.dynamoDb(LocalAws.shared().aws())) {
            return direct.getItem(r -> r.tableName(TABLE).key(key(uid)).consistentRead(true))
                    .hasItem();
        }
    }

    @Test
    void aConditionalWriteWhoseAnswersAreLost_shouldHaveTakenEffectThoughTheCallerSawOnlyFailures() {
        String uid = "exec_" + UUID.randomUUID();

        Throwable failure = catchThrowable(() -> through(
                Settings.only(Kind.LOST_ANSWER, 1),
                dynamo -> dynamo.putItem(
                        r -> r.tableName(TABLE).item(key(uid)).conditionExpression("attribute_not_exists(uid)"))));

        assertThat(failure).isInstanceOf(SdkClientException.class);
        assertThat(stored(uid))
                .as("applied by the emulator before the answer was lost")
                .isTrue();
    }

    @Test
    void throttlesAndResets_shouldReachTheCallerAsAwsReportsThem_afterTheSdksRetries() {
        Throwable throttled = catchThrowable(() -> through(
                Settings.only(Kind.THROTTLE, 1),
                dynamo -> dynamo.getItem(r -> r.tableName(TABLE).key(key("exec_x")))));
        Throwable reset = catchThrowable(() -> through(
                Settings.only(Kind.RESET, 1),
                dynamo -> dynamo.getItem(r -> r.tableName(TABLE).key(key("exec_x")))));

        assertThat(throttled).isInstanceOf(ProvisionedThroughputExceededException.class);
        assertThat(((ProvisionedThroughputExceededException) throttled).isThrottlingException())
                .isTrue();
        assertThat(throttled.getMessage()).contains("SDK Attempt Count: 3");
        assertThat(reset).isInstanceOf(SdkClientException.class);
    }

    @Test
    void aTransactionConflict_shouldCancelTheTransactionWithThatReasonAndWriteNothing() {
        String uid = "exec_" + UUID.randomUUID();

        Throwable failure = catchThrowable(() -> through(
                Settings.only(Kind.TRANSACTION_CONFLICT, 1),
                dynamo -> dynamo.transactWriteItems(r -> r.transactItems(TransactWriteItem.builder()
                        .put(p -> p.tableName(TABLE).item(key(uid)))
                        .build()))));

        assertThat(failure).isInstanceOf(TransactionCanceledException.class);
        assertThat(((TransactionCanceledException) failure).cancellationReasons())
                .extracting(reason -> reason.code())
                .containsExactly("TransactionConflict");
        assertThat(stored(uid)).isFalse();
    }

    @Test
    void aTransactionSentAgainWithItsToken_shouldNotBeAppliedTwice_asDynamoDbsIdempotentTransactions() {
        String uid = "exec_" + UUID.randomUUID();
        String token = UUID.randomUUID().toString();
        through(new Settings(0, 1, java.util.Set.of(), false, java.util.Set.of()), dynamo -> {
            for (int i = 0; i < 2; i++) {
                dynamo.transactWriteItems(r -> r.clientRequestToken(token)
                        .transactItems(TransactWriteItem.builder()
                                .update(u -> u.tableName(TABLE)
                                        .key(key(uid))
                                        .updateExpression("ADD applied :one")
                                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))))
                                .build()));
            }
        });

        try (DynamoDbClient direct = AwsClients.dynamoDb(LocalAws.shared().aws())) {
            var item = direct.getItem(r -> r.tableName(TABLE).key(key(uid))).item();
            assertThat(item.get("applied").n()).isEqualTo("1");
        }
    }

    @Test
    void aBatchGet_shouldReadHalfItsKeysAndHandTheRestBackAsUnprocessed() {
        List<String> uids = List.of("exec_a" + UUID.randomUUID(), "exec_b" + UUID.randomUUID());
        try (DynamoDbClient direct = AwsClients.dynamoDb(LocalAws.shared().aws())) {
            uids.forEach(uid -> direct.putItem(r -> r.tableName(TABLE).item(key(uid))));
        }
        through(Settings.only(Kind.UNPROCESSED_KEYS, 1), dynamo -> {
            var answer = dynamo.batchGetItem(r -> r.requestItems(Map.of(
                    TABLE,
                    KeysAndAttributes.builder()
                            .keys(uids.stream().map(FaultProxyTest::key).toList())
                            .build())));

            assertThat(answer.responses().get(TABLE)).hasSize(1);
            assertThat(answer.unprocessedKeys().get(TABLE).keys()).hasSize(1);
        });
    }

    @Test
    void aSendMessageBatch_shouldSendHalfItsEntriesAndReportTheRestFailed() {
        try (FaultProxy proxy = FaultProxy.start(
                        LocalAws.shared().aws().endpoint().orElseThrow().toString(),
                        Settings.only(Kind.BATCH_ENTRIES_FAILED, 1));
                SqsClient sqs = LocalResources.sqs(LocalAws.awsFor(proxy.endpoint()))) {
            String queue = sqs.createQueue(r -> r.queueName("faults-" + UUID.randomUUID()))
                    .queueUrl();

            var answer = sqs.sendMessageBatch(r -> r.queueUrl(queue)
                    .entries(List.of(0, 1, 2, 3).stream()
                            .map(i -> SendMessageBatchRequestEntry.builder()
                                    .id("m" + i)
                                    .messageBody("body " + i)
                                    .build())
                            .toList()));

            assertThat(answer.successful()).extracting(entry -> entry.id()).containsExactly("m0", "m1");
            assertThat(answer.failed()).extracting(entry -> entry.id()).containsExactly("m2", "m3");
            assertThat(proxy.injected()).containsEntry(Kind.BATCH_ENTRIES_FAILED, 1L);
        }
    }

    @Test
    void theSameSeedAndWorkload_shouldInjectTheSameFaults() {
        List<Map<Kind, Long>> runs = new java.util.ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (FaultProxy proxy = FaultProxy.start(
                            LocalAws.shared().aws().endpoint().orElseThrow().toString(), Settings.parse("0.3,7"));
                    DynamoDbClient dynamo = AwsClients.dynamoDb(LocalAws.awsFor(proxy.endpoint()))) {
                for (int i = 0; i < 30; i++) {
                    String uid = "exec_seeded_" + i;
                    catchThrowable(() -> dynamo.getItem(r -> r.tableName(TABLE).key(key(uid))));
                }
                runs.add(proxy.injected());
            }
        }

        assertThat(runs.get(0)).isEqualTo(runs.get(1));
        assertThat(runs.get(0).values().stream().mapToLong(Long::longValue).sum())
                .isPositive();
    }

    @Test
    void onFirstSending_shouldFailEachRequestOnce_soThatTheSdksRetryOfItPasses() {
        String uid = "exec_" + UUID.randomUUID();

        Throwable failure = catchThrowable(() -> through(
                Settings.onFirstSending(Kind.LOST_ANSWER, 1),
                dynamo -> dynamo.putItem(
                        r -> r.tableName(TABLE).item(key(uid)).conditionExpression("attribute_not_exists(uid)"))));

        assertThat(failure)
                .as("the retry met the first sending's write: the condition fails though the caller wrote first")
                .isInstanceOf(software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException.class);
        assertThat(stored(uid)).isTrue();
    }
}
