package ai.avala.agents.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.model.Agent;
import ai.avala.agents.model.ExecutionStats;
import ai.avala.agents.model.LabelingEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentMatcherTest {

    private static Agent agent(boolean active, String project, List<String> taskTypes) {
        return new Agent(
                "acme",
                "agent_1",
                "a",
                null,
                List.of("task.completed"),
                null,
                active,
                project,
                taskTypes,
                "whsec_x",
                null,
                null,
                null,
                ExecutionStats.ZERO,
                Instant.EPOCH,
                Instant.EPOCH,
                1);
    }

    private static LabelingEvent event(String project, String taskType) {
        return new LabelingEvent("evt", "task.completed", "acme", project, taskType, null, null, null, Map.of());
    }

    @Test
    void subscriptionKeys_shouldCoverTheTypeEachFamilyAndEverything() {
        assertThat(AgentMatcher.subscriptionKeys("task.completed")).containsExactly("task.completed", "task.*", "*");
        assertThat(AgentMatcher.subscriptionKeys("a.b.c")).containsExactly("a.b.c", "a.b.*", "a.*", "*");
    }

    @Test
    void admits_shouldApplyActiveProjectAndTaskTypeFilters() {
        assertThat(AgentMatcher.admits(agent(true, null, List.of()), event("p", "x")))
                .isTrue();
        assertThat(AgentMatcher.admits(agent(false, null, List.of()), event("p", "x")))
                .isFalse();
        assertThat(AgentMatcher.admits(agent(true, "p", List.of()), event("p", "x")))
                .isTrue();
        assertThat(AgentMatcher.admits(agent(true, "p", List.of()), event("q", "x")))
                .isFalse();
        assertThat(AgentMatcher.admits(agent(true, "p", List.of()), event(null, "x")))
                .isFalse();
        assertThat(AgentMatcher.admits(agent(true, null, List.of("x", "y")), event("p", "y")))
                .isTrue();
        assertThat(AgentMatcher.admits(agent(true, null, List.of("x")), event("p", "z")))
                .isFalse();
        assertThat(AgentMatcher.admits(agent(true, null, List.of("x")), event("p", null)))
                .isFalse();
    }
}
