package ai.avala.agents.functions.stats;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.ExecutionStats;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Stream batches of the executions table, as Lambda hands them over, turned into each agent's counts. */
class StatsHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("StatsFunction", Map.of());
    private static final AtomicLong SEQUENCE = new AtomicLong(4421584500000000017L);
    private final StatsHandler handler = new StatsHandler(WIRING);
    private final AgentService agents = WIRING.agentService();

    private static Map<String, Object> record(
            String event, String tenant, String agent, String uid, String oldStatus, String newStatus) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("Keys", Map.of("agent", Map.of("S", agent), "uid", Map.of("S", uid)));
        if (newStatus != null) {
            change.put(
                    "NewImage",
                    Map.of(
                            "agent",
                            Map.of("S", agent),
                            "uid",
                            Map.of("S", uid),
                            "tenant",
                            Map.of("S", tenant),
                            "status",
                            Map.of("S", newStatus)));
        }
        if (oldStatus != null) {
            change.put(
                    "OldImage",
                    Map.of(
                            "agent",
                            Map.of("S", agent),
                            "uid",
                            Map.of("S", uid),
                            "tenant",
                            Map.of("S", tenant),
                            "status",
                            Map.of("S", oldStatus)));
        }
        change.put("SequenceNumber", Long.toString(SEQUENCE.incrementAndGet()) + "00000000000");
        change.put("StreamViewType", "NEW_AND_OLD_IMAGES");
        return Map.of(
                "eventID",
                UUID.randomUUID().toString(),
                "eventName",
                event,
                "eventSource",
                "aws:dynamodb",
                "dynamodb",
                change);
    }

    private String invoke(List<Map<String, Object>> records) throws Exception {
        var output = new ByteArrayOutputStream();
        handler.handleRequest(
                new ByteArrayInputStream(Json.write(Map.of("Records", records)).getBytes(StandardCharsets.UTF_8)),
                output,
                null);
        return output.toString(StandardCharsets.UTF_8);
    }

    private ExecutionStats stats(String tenant, String agent) {
        return agents.get(tenant, agent).stats();
    }

    @Test
    void aBatch_shouldCountNewExecutionsAndMoveChangedOnes_oneWritePerAgent() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"counted\"}"))
                .agent()
                .uid();
        List<Map<String, Object>> records = new ArrayList<>();
        records.add(record("INSERT", tenant, agent, "exec_1", null, "running"));
        records.add(record("INSERT", tenant, agent, "exec_2", null, "running"));
        records.add(record("INSERT", tenant, agent, "exec_3", null, "pending"));
        records.add(record("MODIFY", tenant, agent, "exec_1", "running", "success"));
        records.add(record("MODIFY", tenant, agent, "exec_2", "running", "running"));
        records.add(record("MODIFY", tenant, agent, "exec_2", "running", "failed"));
        records.add(record("INSERT", tenant, agent, "event#evt_1", null, null));
        records.add(record("REMOVE", tenant, agent, "exec_9", "success", null));

        String response = invoke(records);

        assertThat(Json.parse(response).get("batchItemFailures")).isEmpty();
        assertThat(stats(tenant, agent)).isEqualTo(new ExecutionStats(3, 1, 1, 1));
    }

    @Test
    void aBatchDeliveredAgain_withOrWithoutMoreRecords_shouldCountEachRecordOnce() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"again\"}"))
                .agent()
                .uid();
        List<Map<String, Object>> first = List.of(
                record("INSERT", tenant, agent, "exec_1", null, "running"),
                record("MODIFY", tenant, agent, "exec_1", "running", "success"));
        List<Map<String, Object>> more = new ArrayList<>(first);
        more.add(record("INSERT", tenant, agent, "exec_2", null, "running"));

        invoke(first);
        invoke(first);
        invoke(more);

        assertThat(stats(tenant, agent)).isEqualTo(new ExecutionStats(2, 1, 0, 1));
    }

    @Test
    void countsOfADeletedAgent_shouldBeDroppedWithoutFailingTheBatch() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        String gone = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"gone\"}"))
                .agent()
                .uid();
        String kept = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"kept\"}"))
                .agent()
                .uid();
        agents.delete(tenant, gone);

        String response = invoke(List.of(
                record("INSERT", tenant, gone, "exec_1", null, "running"),
                record("INSERT", tenant, kept, "exec_2", null, "success")));

        assertThat(Json.parse(response).get("batchItemFailures")).isEmpty();
        assertThat(stats(tenant, kept)).isEqualTo(new ExecutionStats(1, 1, 0, 0));
    }

    @Test
    void theSampleEvent_shouldBeReadAsLambdaSendsIt() throws Exception {
        var output = new ByteArrayOutputStream();

        handler.handleRequest(Files.newInputStream(Path.of(LocalAws.eventFile("stats-stream.json"))), output, null);

        assertThat(Json.parse(output.toString(StandardCharsets.UTF_8)).get("batchItemFailures"))
                .isEmpty();
    }
}
