package ai.avala.agents.local.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

class AtomicConditionalWritesTest {

    static {
        AtomicConditionalWrites.registerTable("StripesTable", List.of("agent", "uid"));
    }

    private static Map<String, AttributeValue> key(String uid) {
        return Map.of("agent", AttributeValue.fromS("agent_1"), "uid", AttributeValue.fromS(uid));
    }

    @Test
    void aConditionalPutAndUpdateOfOneItem_shouldTakeTheSameLock() {
        var put = PutItemRequest.builder()
                .tableName("StripesTable")
                .conditionExpression("attribute_not_exists(uid)")
                .item(Map.of(
                        "agent",
                        AttributeValue.fromS("agent_1"),
                        "uid",
                        AttributeValue.fromS("exec_1"),
                        "status",
                        AttributeValue.fromS("running")))
                .build();
        var update = UpdateItemRequest.builder()
                .tableName("StripesTable")
                .key(key("exec_1"))
                .updateExpression("SET lease_until = :t")
                .conditionExpression("attribute_exists(uid)")
                .build();

        assertThat(AtomicConditionalWrites.stripesOf(put))
                .hasSize(1)
                .isEqualTo(AtomicConditionalWrites.stripesOf(update));
    }

    @Test
    void writesOfDifferentItems_shouldMostlyTakeDifferentLocks() {
        long distinct = java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> AtomicConditionalWrites.stripesOf(UpdateItemRequest.builder()
                                .tableName("StripesTable")
                                .key(key("exec_" + i))
                                .conditionExpression("attribute_exists(uid)")
                                .build())
                        .first())
                .distinct()
                .count();

        assertThat(distinct).isGreaterThan(50);
    }

    @Test
    void readsAndUnconditionalWrites_shouldTakeNoLock() {
        assertThat(AtomicConditionalWrites.stripesOf(GetItemRequest.builder()
                        .tableName("StripesTable")
                        .key(key("x"))
                        .build()))
                .isEmpty();
        assertThat(AtomicConditionalWrites.stripesOf(UpdateItemRequest.builder()
                        .tableName("StripesTable")
                        .key(key("x"))
                        .updateExpression("SET a = :a")
                        .build()))
                .isEmpty();
    }

    @Test
    void aTransaction_shouldTakeTheLocksOfAllItsItemsInAscendingOrder() {
        var transaction = TransactWriteItemsRequest.builder()
                .transactItems(
                        TransactWriteItem.builder()
                                .update(u -> u.tableName("StripesTable").key(key("exec_2")))
                                .build(),
                        TransactWriteItem.builder()
                                .update(u -> u.tableName("StripesTable").key(key("exec_1")))
                                .build())
                .build();
        var one = AtomicConditionalWrites.stripesOf(UpdateItemRequest.builder()
                        .tableName("StripesTable")
                        .key(key("exec_1"))
                        .conditionExpression("attribute_exists(uid)")
                        .build())
                .first();
        var two = AtomicConditionalWrites.stripesOf(UpdateItemRequest.builder()
                        .tableName("StripesTable")
                        .key(key("exec_2"))
                        .conditionExpression("attribute_exists(uid)")
                        .build())
                .first();

        assertThat(AtomicConditionalWrites.stripesOf(transaction))
                .containsExactlyElementsOf(new java.util.TreeSet<>(List.of(one, two)));
    }
}
