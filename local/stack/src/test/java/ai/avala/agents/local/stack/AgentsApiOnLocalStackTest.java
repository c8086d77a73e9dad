package ai.avala.agents.local.stack;

import java.util.Map;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/** The same API contract on LocalStack in a container; skipped where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class AgentsApiOnLocalStackTest extends AgentsApiContract {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
                    DockerImageName.parse("localstack/localstack:4.4"))
            .withServices(
                    LocalStackContainer.Service.DYNAMODB,
                    LocalStackContainer.Service.SQS,
                    LocalStackContainer.Service.SECRETSMANAGER,
                    LocalStackContainer.Service.DYNAMODB_STREAMS);

    @Override
    protected DevStack startStack() throws Exception {
        return DevStack.start(Options.of(0, LOCALSTACK.getEndpoint().toString(), Map.of(), true)
                .withEnvironment(Map.of("EVENT_TYPES_DIR", LongEventTypes.folder())));
    }
}
