package ai.avala.agents.local.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemSizesTest {

    @Test
    void anItemsSize_shouldCountEachNameAndValueAsDynamoDbBillsThem() {
        Map<String, AttributeValue> item = Map.of(
                "uid", AttributeValue.fromS("exec_1"), // 3 + 6
                "attempts", AttributeValue.fromN("12345"), // 8 + one byte per two significant digits (3) + 1
                "ok", AttributeValue.fromBool(true), // 2 + 1
                "history", AttributeValue.fromL(List.of(AttributeValue.fromS("ab")))); // 7 + 3 + 1 + 2

        assertThat(ItemSizes.of(item)).isEqualTo(9 + 12 + 3 + 13);
    }

    @Test
    void writesAndReads_shouldTakeAUnitPerStartedKilobyteAndPerStartedFourKilobytes() {
        assertThat(ItemSizes.writeUnits(0)).isEqualTo(1);
        assertThat(ItemSizes.writeUnits(1024)).isEqualTo(1);
        assertThat(ItemSizes.writeUnits(1025)).isEqualTo(2);
        assertThat(ItemSizes.readUnits(4097, true)).isEqualTo(2.0);
        assertThat(ItemSizes.readUnits(100, false)).isEqualTo(0.5);
    }
}
