package ai.avala.agents.local.stack;

import java.util.LinkedHashMap;
import java.util.Map;

/** The cost figures {@code local/bench} writes to {@code target/bench/results.json}, and prints. */
final class CostReport {

    /** The template's settings and the levers weighed against them, as (function, batch size, window) changes. */
    record Lever(String name, String function, int batchSize, double windowSeconds) {}

    private CostReport() {}

    static void write(
            CostModel model,
            Map<Integer, CostModel.Measured> bySize,
            Map<String, CostModel.FunctionUsage> api,
            Map<String, Object> results) {
        Map<String, Double> receivers = new LinkedHashMap<>();
        model.assumptions()
                .get("receiver_ms")
                .properties()
                .forEach(e -> receivers.put(
                        e.getKey(), Double.parseDouble(e.getValue().asText())));
        bySize.forEach((kb, measured) -> {
            measured.functions()
                    .forEach((function, usage) ->
                            System.out.println("Cost run, " + kb + " KB events, " + function + ": " + usage));
            String size = kb == 1 ? "" : "_" + kb + "kb";
            receivers.forEach((label, ms) -> {
                Map<String, Double> cost = model.perMillionDeliveries(measured, ms);
                double total = total(cost);
                results.put("cost_usd_per_million_deliveries_" + label + size, round(total, 2));
                if (kb == 1 && label.equals("300ms")) {
                    cost.forEach((component, usd) -> {
                        results.put("cost_usd_300ms_" + component, round(usd, 3));
                        results.put("cost_share_300ms_" + component, round(usd / total, 3));
                    });
                }
            });
            double writes = 0;
            double reads = 0;
            double cpu = 0;
            double logs = 0;
            for (var usage : measured.functions().values()) {
                writes += usage.writeUnitsPerDelivery();
                reads += usage.readUnitsPerDelivery();
                cpu += usage.recordsPerDelivery() * usage.cpuMsPerRecord();
                logs += usage.recordsPerDelivery() * (usage.logBytesPerRecord() + usage.emfBytesPerRecord());
            }
            String k = "_" + kb + "kb";
            results.put("cost_write_units_per_delivery" + k, round(writes, 2));
            results.put(
                    "cost_stats_write_units_per_delivery" + k,
                    round(measured.functions().get(CostModel.STATS).writeUnitsPerDelivery(), 2));
            results.put("cost_read_units_per_delivery" + k, round(reads, 2));
            results.put("cost_cpu_ms_per_delivery" + k, round(cpu, 2));
            results.put("cost_log_bytes_per_delivery" + k, Math.round(logs));
            results.put("cost_stored_bytes_per_delivery" + k, Math.round(measured.executionItemBytes()));
            results.put(
                    "cost_eventbridge_usd_per_million_deliveries" + size,
                    round(model.eventBridgePerMillionDeliveries(measured.eventBytes()), 2));
        });
        CostModel.FunctionUsage authorizer = api.get("AuthorizerFunction");
        api.forEach((function, usage) -> {
            if (!function.equals("AuthorizerFunction") && authorizer != null) {
                results.put(
                        "cost_api_usd_per_million_" + function,
                        round(model.perMillionCalls(function, usage, authorizer), 2));
            }
        });
        CostModel.Measured small = bySize.get(1);
        if (small != null) {
            for (Lever lever : levers(model)) {
                CostModel variant = lever.function() == null
                        ? model
                        : model.withBatching(lever.function(), lever.batchSize(), lever.windowSeconds());
                results.put("cost_lever_" + lever.name(), round(total(variant.perMillionDeliveries(small, 300)), 2));
            }
            results.put(
                    "cost_lever_tracing_passthrough",
                    round(total(model.withoutTracing().perMillionDeliveries(small, 300)), 2));
        }
        results.put("cost_assumed_deliveries_per_second", model.assumption("deliveries_per_second"));
        results.put("cost_assumed_agents_per_event", model.assumption("agents_per_event"));
        results.put("cost_prices_date", model.prices().get("date").asText());
        System.out.println("Cost per million deliveries (USD): " + costs(results));
    }

    /** The batching settings weighed in the same run against the template's (the first). */
    static java.util.List<Lever> levers(CostModel model) {
        return java.util.List.of(
                new Lever("template", null, 0, 0),
                new Lever("deliveries_batch_10_window_0s", CostModel.DELIVERY, 10, 0),
                new Lever("deliveries_batch_10_window_1s", CostModel.DELIVERY, 10, 1),
                new Lever("deliveries_batch_25_window_2s", CostModel.DELIVERY, 25, 2),
                new Lever("deliveries_batch_50_window_5s", CostModel.DELIVERY, 50, 5),
                new Lever("stats_batch_1000_window_2s", CostModel.STATS, 1000, 2),
                new Lever("stats_batch_1000_window_10s", CostModel.STATS, 1000, 10));
    }

    private static Map<String, Object> costs(Map<String, Object> results) {
        Map<String, Object> costs = new LinkedHashMap<>();
        results.forEach((key, value) -> {
            if (key.startsWith("cost_usd_per_million") || key.startsWith("cost_lever_")) {
                costs.put(key, value);
            }
        });
        return costs;
    }

    static double total(Map<String, Double> cost) {
        return cost.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
