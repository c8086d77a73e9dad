package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.avala.agents.local.emulator.SamTemplate;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private static final CostModel.FunctionUsage NOTHING = new CostModel.FunctionUsage(0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static CostModel model() throws Exception {
        Path template = SamTemplate.locate();
        return CostModel.load(template.resolveSibling("local").resolve("cost-model.json"), SamTemplate.load(template));
    }

    private static CostModel.Measured onlyDelivery(CostModel.FunctionUsage delivery) {
        return new CostModel.Measured(
                1,
                1024,
                500,
                0,
                Map.of(CostModel.DISPATCHER, NOTHING, CostModel.DELIVERY, delivery, CostModel.STATS, NOTHING));
    }

    @Test
    void writeUnits_shouldCostTheirOnDemandPricePerMillion() throws Exception {
        CostModel model = model();
        var usage = new CostModel.FunctionUsage(1, 0, 0, 0, 3, 0, 0, 0, 0);

        double writes = model.perMillionDeliveries(onlyDelivery(usage), 300).get("dynamodb_writes");

        assertThat(writes).isCloseTo(3 * model.price("dynamodb_write_units_per_million"), within(1e-9));
    }

    @Test
    void aBatchingWindow_shouldShareTheReceiversTimeAmongTheTasksItGathers() throws Exception {
        CostModel model = model();
        var usage = new CostModel.FunctionUsage(1, 0, 0, 0, 0, 0, 0, 0, 0);

        double oneByOne = model.withBatching(CostModel.DELIVERY, 10, 0)
                .perMillionDeliveries(onlyDelivery(usage), 300)
                .get("lambda_duration");
        double gathered = model.withBatching(CostModel.DELIVERY, 10, 1)
                .perMillionDeliveries(onlyDelivery(usage), 300)
                .get("lambda_duration");

        // 20 deliveries a second over 5 pollers: a 1 s window gathers 4 tasks, whose callbacks share 300 ms.
        assertThat(gathered).isCloseTo(oneByOne / 4, within(oneByOne * 0.01));
    }

    @Test
    void activeTracing_shouldPayForTheFirstInvocationEachSecondAndFivePercentOfTheRest() throws Exception {
        CostModel model = model().withBatching(CostModel.DELIVERY, 10, 1);
        var usage = new CostModel.FunctionUsage(1, 0, 0, 0, 0, 0, 0, 0, 0);

        double xray = model.perMillionDeliveries(onlyDelivery(usage), 300).get("xray");

        // 20 deliveries a second in batches of 4: 5 invocations a second, of which 1 + 5% of 4 traced.
        assertThat(xray).isCloseTo(1.2 / 20 * model.price("xray_traces_recorded_per_million"), within(1e-9));
    }

    @Test
    void aBatch_shouldHoldAtMostItsBatchSize() throws Exception {
        CostModel model = model();
        var settings = new CostModel.FunctionSettings(1024, "arm64", 10, 60, false);

        assertThat(model.batchFill(settings, 1)).isEqualTo(10);
        assertThat(model.batchFill(new CostModel.FunctionSettings(1024, "arm64", 10, 0, false), 1))
                .isEqualTo(1);
    }
}
