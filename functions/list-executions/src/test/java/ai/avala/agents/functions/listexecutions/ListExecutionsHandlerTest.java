package ai.avala.agents.functions.listexecutions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.model.LabelingEvent;
import ai.avala.agents.service.AgentAction;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ListExecutionsHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("ListExecutionsFunction", Map.of());
    private final ListExecutionsHandler handler = new ListExecutionsHandler(WIRING);
    private final AgentService agents = WIRING.agentService();
    private final ExecutionLog log =
            new ExecutionLog(WIRING.dynamo(), WIRING.config().executionsTable().orElseThrow(), Duration.ofDays(1));

    private static APIGatewayProxyRequestEvent sample(String tenant, String uid, Map<String, String> query) {
        var event = LocalAws.apiEvent("list-executions.json", tenant, uid);
        event.setQueryStringParameters(query);
        return event;
    }

    private Execution record(String tenant, String agentUid, ExecutionStatus status) {
        Instant now = Instant.now();
        String uid = Ids.executionUid();
        var execution = new Execution(
                uid,
                agentUid,
                tenant,
                "evt_" + uid,
                "task.completed",
                "task_1",
                null,
                status,
                null,
                Map.of("task_uid", "task_1"),
                null,
                null,
                1,
                now,
                now,
                now,
                now,
                List.of(),
                null);
        log.create(execution);
        return execution;
    }

    @Test
    void handleRequest_shouldFilterByStatusAndListNewestFirst_forAnAgentThatIsNotPolled() {
        // A callback agent: a pull-mode agent's ?status=pending is its poll, which claims (see below).
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Hook\", \"callback_url\": \"https://hooks.example.com/h\"}"))
                .agent();
        var olderPending = record(tenant, agent.uid(), ExecutionStatus.PENDING);
        var success = record(tenant, agent.uid(), ExecutionStatus.SUCCESS);
        var newerPending = record(tenant, agent.uid(), ExecutionStatus.PENDING);
        var failed = record(tenant, agent.uid(), ExecutionStatus.FAILED);

        var pending = Json.parse(LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "pending")))
                .getBody());
        var succeeded = Json.parse(LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "success")))
                .getBody());
        var onePage = Json.parse(
                LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "success", "limit", "1")))
                        .getBody());
        var all = Json.parse(
                LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of())).getBody());

        assertThat(pending.get("results")).hasSize(2);
        assertThat(pending.get("results").get(0).get("uid").asText()).isEqualTo(newerPending.uid());
        assertThat(pending.get("results").get(1).get("uid").asText()).isEqualTo(olderPending.uid());
        assertThat(pending.get("results").get(0).get("registration").asText()).isEqualTo(agent.uid());
        assertThat(succeeded.get("results"))
                .extracting(e -> e.get("uid").asText())
                .containsExactly(success.uid());
        assertThat(onePage.get("results"))
                .extracting(e -> e.get("uid").asText())
                .containsExactly(success.uid());
        assertThat(onePage.get("next").isNull())
                .as("a filtered page reads on past the items it skips")
                .isTrue();
        assertThat(all.get("results"))
                .extracting(e -> e.get("uid").asText())
                .containsExactly(failed.uid(), newerPending.uid(), success.uid(), olderPending.uid());
    }

    @Test
    void executionsNamingTheirEventsPayload_shouldBeListedWithIt_beside_oneThatCarriesItsOwn() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Hook\", \"callback_url\": \"https://hooks.example.com/h\"}"))
                .agent();
        var inline = record(tenant, agent.uid(), ExecutionStatus.SUCCESS);
        List<String> named = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Instant now = Instant.now();
            Execution execution =
                    ai.avala.agents.local.emulator.ExecutionSeeds.of(tenant, agent.uid(), ExecutionStatus.RUNNING, now);
            String key = ai.avala.agents.store.EventPayloads.keyOf(tenant, now.toEpochMilli(), execution.eventId());
            log.storePayload(key, Map.of("task_uid", "task_" + i, "notes", "n".repeat(2000)), now);
            log.create(execution, null, key);
            named.add(execution.uid());
        }

        var all = Json.parse(
                LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of())).getBody());

        assertThat(all.get("results")).hasSize(3);
        for (JsonValue execution : all.get("results")) {
            String uid = execution.get("uid").asText();
            if (uid.equals(inline.uid())) {
                assertThat(execution.get("event_payload").get("task_uid").asText())
                        .isEqualTo("task_1");
            } else {
                String task = "task_" + named.indexOf(uid);
                assertThat(execution.get("event_payload").get("task_uid").asText())
                        .isEqualTo(task);
                assertThat(execution.get("event_payload").get("notes").asText()).hasSize(2000);
            }
        }
    }

    @Test
    void handleRequest_shouldAnswer400ForAnUnknownStatusAnd404ForAForeignAgent() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Worker\"}"))
                .agent();

        var badStatus = LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "done")));
        var foreign = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), agent.uid(), Map.of()));

        assertThat(badStatus.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(badStatus.getBody()).get("errors").has("status")).isTrue();
        assertThat(foreign.getStatusCode()).isEqualTo(404);
    }

    /** A clock the claims' tests move forward, past a claim. */
    private static final class MovingClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final MovingClock clock = new MovingClock();
    private final ListExecutionsHandler polled = new ListExecutionsHandler(new Wiring(
            Configuration.from(LocalAws.environmentFor(
                    "ListExecutionsFunction", Map.of("PULL_CLAIM_SECONDS", "60", "PULL_MAX_CLAIMS", "5"))),
            clock));

    private String pullAgent(String tenant) {
        return agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Worker\"}"))
                .agent()
                .uid();
    }

    /** A pending execution of a pull-mode agent, as the dispatcher records it; uids in order of creation. */
    private Execution pending(String tenant, String agentUid, int order) {
        var event = new LabelingEvent(
                "evt_" + UUID.randomUUID(),
                "task.completed",
                tenant,
                null,
                null,
                "task_" + order,
                null,
                null,
                Map.of());
        var execution = Execution.started(
                Ids.executionUid(clock.millis() + order, tenant, event.id(), agentUid),
                agentUid,
                tenant,
                event,
                true,
                clock.instant());
        log.create(execution);
        return execution;
    }

    private JsonValue poll(String tenant, String agentUid, Map<String, String> query) {
        var response = LocalAws.invoke(polled, sample(tenant, agentUid, query));
        assertThat(response.getStatusCode()).isEqualTo(200);
        return Json.parse(response.getBody());
    }

    private static List<String> uids(JsonValue page) {
        List<String> uids = new ArrayList<>();
        page.get("results").forEach(execution -> uids.add(execution.get("uid").asText()));
        return uids;
    }

    @Test
    void aPullModePoll_shouldClaimTheOldestFirst_atMostItsLimit_withNoNextPage() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = pullAgent(tenant);
        var first = pending(tenant, agent, 1);
        var second = pending(tenant, agent, 2);
        var third = pending(tenant, agent, 3);

        var page = poll(tenant, agent, Map.of("status", "pending", "limit", "2"));
        var rest = poll(tenant, agent, Map.of("status", "pending"));
        var none = poll(tenant, agent, Map.of("status", "pending"));
        var listed = Json.parse(
                LocalAws.invoke(handler, sample(tenant, agent, Map.of())).getBody());

        assertThat(uids(page)).containsExactly(first.uid(), second.uid());
        assertThat(page.get("next").isNull()).isTrue();
        assertThat(page.get("results").get(0).get("status").asText()).isEqualTo("running");
        assertThat(page.get("results").get(0).get("attempts").asInt()).isEqualTo(1);
        assertThat(uids(rest)).containsExactly(third.uid());
        assertThat(uids(none)).isEmpty();
        assertThat(uids(listed))
                .as("a listing without status=pending claims nothing")
                .hasSize(3);
        assertThat(log.find(agent, first.uid()).orElseThrow().status()).isEqualTo(ExecutionStatus.RUNNING);
    }

    @Test
    void aPollWithoutALimit_shouldClaimTen() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = pullAgent(tenant);
        for (int i = 0; i < 12; i++) {
            pending(tenant, agent, i);
        }

        assertThat(uids(poll(tenant, agent, Map.of("status", "pending")))).hasSize(10);
        assertThat(uids(poll(tenant, agent, Map.of("status", "pending")))).hasSize(2);
    }

    @Test
    void twoPollsAtOnce_shouldNeverReceiveTheSameExecution() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = pullAgent(tenant);
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            made.add(pending(tenant, agent, i).uid());
        }

        List<Future<List<String>>> polls = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            for (int i = 0; i < 2; i++) {
                polls.add(threads.submit(() -> uids(poll(tenant, agent, Map.of("status", "pending", "limit", "6")))));
            }
        }
        List<String> received = new ArrayList<>(polls.get(0).get());
        received.addAll(polls.get(1).get());

        assertThat(received).containsExactlyInAnyOrderElementsOf(made);
    }

    @Test
    void anExpiredClaim_shouldBeClaimedAgain_andFiveClaimsWithoutAnActionShouldEndItFailed() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = pullAgent(tenant);
        var execution = pending(tenant, agent, 1);

        for (int claim = 1; claim <= 5; claim++) {
            var page = poll(tenant, agent, Map.of("status", "pending"));
            assertThat(uids(page)).as("claim %d", claim).containsExactly(execution.uid());
            assertThat(page.get("results").get(0).get("attempts").asInt()).isEqualTo(claim);
            assertThat(uids(poll(tenant, agent, Map.of("status", "pending"))))
                    .as("held by claim %d", claim)
                    .isEmpty();
            clock.advance(Duration.ofSeconds(61));
        }
        var sixth = poll(tenant, agent, Map.of("status", "pending"));

        assertThat(uids(sixth)).isEmpty();
        var ended = log.find(agent, execution.uid()).orElseThrow();
        assertThat(ended.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(ended.errorMessage()).isEqualTo("Not handled after 5 claims.");
    }

    @Test
    void anActionOnAClaimedExecution_shouldCompleteItOnce_evenAfterItsClaimPassedToAnotherPoll() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = pullAgent(tenant);
        var execution = pending(tenant, agent, 1);
        poll(tenant, agent, Map.of("status", "pending"));
        clock.advance(Duration.ofSeconds(61));
        assertThat(uids(poll(tenant, agent, Map.of("status", "pending")))).containsExactly(execution.uid());

        var decided = agents.decide(
                tenant, AgentAction.parse("{\"execution\": \"" + execution.uid() + "\", \"action\": \"approve\"}"));
        var again = agents.decide(
                tenant, AgentAction.parse("{\"execution\": \"" + execution.uid() + "\", \"action\": \"approve\"}"));
        clock.advance(Duration.ofSeconds(61));

        assertThat(decided.status()).isEqualTo(ExecutionStatus.SUCCESS);
        assertThat(again.status()).isEqualTo(ExecutionStatus.SUCCESS);
        assertThat(uids(poll(tenant, agent, Map.of("status", "pending")))).isEmpty();
        assertThatThrownBy(() -> agents.decide(
                        tenant,
                        AgentAction.parse("{\"execution\": \"" + execution.uid() + "\", \"action\": \"reject\"}")))
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void aPollWhoseClaimLosesItsFirstAnswer_shouldStillReceiveTheExecution() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = pullAgent(tenant);
        var execution = pending(tenant, agent, 1);
        String emulator = LocalAws.shared().aws().endpoint().orElseThrow().toString();
        try (FaultProxy proxy = FaultProxy.start(
                emulator,
                FaultProxy.Settings.onFirstSending(FaultProxy.Kind.LOST_ANSWER, 1)
                        .forOperations("UpdateItem"))) {
            var lossy = new ListExecutionsHandler(new Wiring(
                    Configuration.from(LocalAws.environmentFor(
                            "ListExecutionsFunction", Map.of("AWS_ENDPOINT_URL", proxy.endpoint()))),
                    clock));

            var response = LocalAws.invoke(lossy, sample(tenant, agent, Map.of("status", "pending")));

            assertThat(proxy.injected().get(FaultProxy.Kind.LOST_ANSWER)).isEqualTo(1);
            assertThat(uids(Json.parse(response.getBody())))
                    .as("the SDK's retry met the poll's own claim")
                    .containsExactly(execution.uid());
        }
    }

    @Test
    void aStatusListingAmongThousandsOfOtherExecutions_shouldReadAtMostItsBound_andAnswerANextPage() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        String agentUid = agents.register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Busy\", \"callback_url\": \"https://hooks.example.com/busy\"}"))
                .agent()
                .uid();
        String failed = record(tenant, agentUid, ExecutionStatus.FAILED).uid();
        try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 3000; i++) {
                threads.submit(() -> record(tenant, agentUid, ExecutionStatus.SUCCESS));
            }
        }
        var reads = new ai.avala.agents.local.emulator.ReadCounter();
        var bounded = new ExecutionLog(
                reads.dynamoDb(), WIRING.config().executionsTable().orElseThrow(), Duration.ofDays(1));

        var page = bounded.list(agentUid, ExecutionStatus.FAILED, 1, null);

        assertThat(reads.itemsRead()).as("executions read").isLessThanOrEqualTo(ExecutionLog.FILTERED_READ_BOUND);
        assertThat(page.items())
                .as("the failed one is the oldest, beyond the bound")
                .isEmpty();
        assertThat(page.lastKey()).as("a next page").isNotNull();
        var response = LocalAws.invoke(handler, sample(tenant, agentUid, Map.of("status", "failed", "limit", "1")));
        JsonValue body = Json.parse(response.getBody());
        assertThat(body.get("results").size()).isZero();
        assertThat(body.get("next").isNull())
                .as("the answer carries a next link")
                .isFalse();
        List<String> found = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 20 && found.isEmpty(); pages++) {
            var next = bounded.list(
                    agentUid,
                    ExecutionStatus.FAILED,
                    1,
                    cursor == null ? page.lastKey() : Map.of("agent", agentUid, "uid", cursor));
            next.items().forEach(e -> found.add(e.uid()));
            cursor = next.lastKey() == null ? null : next.lastKey().get("uid");
            if (cursor == null) {
                break;
            }
        }
        assertThat(found).as("following next reaches it").containsExactly(failed);
        reads.close();
    }
}
