package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.list;
import static ai.avala.agents.local.emulator.SamTemplate.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.local.emulator.SamTemplate;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The timeouts of template.yaml fit together for every value its parameters allow: AWS enforces them,
 * moto does not, so a mismatch would only show in a deployment.
 */
class TemplateTimeoutsTest {

    /** API Gateway gives up on an integration after 29 s. */
    private static final int API_GATEWAY_LIMIT_SECONDS = 29;

    private final SamTemplate template = SamTemplate.load(SamTemplate.locate());
    private final Map<String, Map<String, Object>> functions = template.resources("AWS::Serverless::Function");

    private int timeout(String function) {
        Object own = functions.get(function).get("Timeout");
        return ((Number) (own != null ? own : template.functionGlobals().get("Timeout"))).intValue();
    }

    @Test
    void theLongestAllowedCallback_shouldEndBeforeTheTestFunctionTimesOut_whichEndsBeforeApiGatewayGivesUp() {
        var callbackTimeout = map(map(template.root().get("Parameters")).get("CallbackTimeoutSeconds"));
        int longestCallback = ((Number) callbackTimeout.get("MaxValue")).intValue();

        assertThat(longestCallback).isLessThan(timeout("TestAgentFunction"));
        assertThat(timeout("TestAgentFunction")).isLessThanOrEqualTo(API_GATEWAY_LIMIT_SECONDS);
    }

    @Test
    void everyApiFunction_shouldTimeOutBeforeApiGatewayGivesUp() {
        functions.forEach((id, props) -> {
            boolean api = map(props.get("Events")).values().stream().anyMatch(e -> "Api".equals(map(e).get("Type")));
            if (api) {
                assertThat(timeout(id)).as(id).isLessThanOrEqualTo(API_GATEWAY_LIMIT_SECONDS);
            }
        });
    }

    @Test
    void everyQueue_shouldHideAMessageForAtLeastSixTimesItsConsumersTimeout() {
        var queues = template.resources("AWS::SQS::Queue");
        int checked = 0;
        for (var function : functions.entrySet()) {
            for (Object event : map(function.getValue().get("Events")).values()) {
                if ("SQS".equals(map(event).get("Type"))) {
                    String queue =
                            (String) list(map(map(map(event).get("Properties")).get("Queue"))
                                            .get("Fn::GetAtt"))
                                    .get(0);
                    int visibility = ((Number) queues.get(queue).get("VisibilityTimeout")).intValue();
                    assertThat(visibility)
                            .as(queue + " for " + function.getKey())
                            .isGreaterThanOrEqualTo(6 * timeout(function.getKey()));
                    checked++;
                }
            }
        }
        assertThat(checked).isPositive();
    }

    @Test
    void aDeliveryLease_shouldOutliveTheDeliveryFunctionsTimeout_andTheLongestCallbackWithItsWrites() {
        var callbackTimeout = map(map(template.root().get("Parameters")).get("CallbackTimeoutSeconds"));
        int longestCallback = ((Number) callbackTimeout.get("MaxValue")).intValue();

        assertThat(ai.avala.agents.delivery.CallbackAttempt.LEASE.toSeconds())
                .as("a lease outlives the invocation that took it, whatever CallbackTimeoutSeconds is")
                .isGreaterThan(timeout("DeliveryFunction"));
        assertThat(ai.avala.agents.delivery.CallbackAttempt.callbackWithItsWrites(
                                java.time.Duration.ofSeconds(longestCallback))
                        .toSeconds())
                .as("the longest callback and its writes can start in a delivery invocation")
                .isLessThan(timeout("DeliveryFunction"));
    }

    @Test
    void theDeliveryFunction_shouldKnowTheReceiveAfterWhichItsQueueDeadLettersATask() {
        var queue = template.resources("AWS::SQS::Queue").get("DeliveriesQueue");
        int maxReceiveCount = ((Number) map(queue.get("RedrivePolicy")).get("maxReceiveCount")).intValue();
        var variables =
                map(map(functions.get("DeliveryFunction").get("Environment")).get("Variables"));

        assertThat(Integer.parseInt(String.valueOf(variables.get("DELIVERIES_MAX_RECEIVES"))))
                .isEqualTo(maxReceiveCount);
    }

    @Test
    void theDispatcher_shouldKnowTheReceiveAfterWhichItsQueueDeadLettersAnEvent() {
        var queue = template.resources("AWS::SQS::Queue").get("EventsQueue");
        int maxReceiveCount = ((Number) map(queue.get("RedrivePolicy")).get("maxReceiveCount")).intValue();
        var variables =
                map(map(functions.get("DispatcherFunction").get("Environment")).get("Variables"));

        assertThat(Integer.parseInt(String.valueOf(variables.get("EVENTS_MAX_RECEIVES"))))
                .as("on its last receive an event's executions are marked for the sweep")
                .isEqualTo(maxReceiveCount);
    }
}
