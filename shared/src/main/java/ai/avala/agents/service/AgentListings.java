package ai.avala.agents.service;

import ai.avala.agents.errors.InvalidInputException;
import ai.avala.agents.errors.NotFoundException;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.model.Page;
import ai.avala.agents.paging.CursorCodec;
import ai.avala.agents.paging.PageRequest;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.KeyedPage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The listings of the agents API (a tenant's agents, an agent's executions), newest first, a page at a time,
 * each page's cursor signed and bound to the tenant, the list and its filter; but a pull-mode agent's
 * {@code ?status=pending} listing is its poll, which claims what it answers, oldest first.
 */
public final class AgentListings {

    private final AgentStore agents;
    private final ExecutionLog executions;
    private final CursorCodec cursors;
    private final PullClaims claims;
    private final Clock clock;

    public AgentListings(
            AgentStore agents, ExecutionLog executions, CursorCodec cursors, PullClaims claims, Clock clock) {
        this.agents = agents;
        this.executions = executions;
        this.cursors = cursors;
        this.claims = claims;
        this.clock = clock;
    }

    /**
     * How long a pull-mode poll holds what it receives ({@code PULL_CLAIM_SECONDS}) and how many claims without an
     * action end an execution {@code failed} ({@code PULL_MAX_CLAIMS}).
     */
    public record PullClaims(Duration claim, int maxClaims) {}

    /** Executions a claiming poll answers when the request sets no limit (the library sends none). */
    public static final int CLAIMS_WITHOUT_LIMIT = 10;

    public Page<Agent> agents(String tenant, PageRequest page) {
        String scope = "agents|" + tenant;
        return toPage(scope, agents.list(tenant, page.limit(), startKey(scope, page)));
    }

    public Page<Execution> executions(String tenant, String uid, String statusFilter, PageRequest page) {
        ExecutionStatus status = null;
        if (statusFilter != null) {
            status = ExecutionStatus.fromWire(statusFilter)
                    .orElseThrow(() -> new InvalidInputException(
                            "Invalid status: use pending, running, success or failed.",
                            Map.of("status", List.of("Must be one of pending, running, success, failed."))));
        }
        Agent agent = agents.find(tenant, uid).orElseThrow(NotFoundException::new);
        if (status == ExecutionStatus.PENDING && agent.pullMode()) {
            // A pull-mode agent's poll is a work-queue receive: it claims what it answers (oldest first; no page).
            Instant now = Timestamps.now(clock);
            int limit = page.requestedLimit().orElse(CLAIMS_WITHOUT_LIMIT);
            return new Page<>(
                    executions.claim(agent.uid(), limit, now, now.plus(claims.claim()), claims.maxClaims()), null);
        }
        String scope = "executions|" + tenant + "|" + agent.uid() + "|" + (status == null ? "" : status.wire());
        return toPage(scope, executions.list(agent.uid(), status, page.limit(), startKey(scope, page)));
    }

    private Map<String, String> startKey(String scope, PageRequest page) {
        return page.cursor() == null ? null : cursors.decode(scope, page.cursor());
    }

    private <T> Page<T> toPage(String scope, KeyedPage<T> keyed) {
        return new Page<>(keyed.items(), keyed.lastKey() == null ? null : cursors.encode(scope, keyed.lastKey()));
    }
}
