package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The verdict of CI's run of each artifact as on AWS (public endpoints, container credentials). */
class ProductionPathCheckTest {

    private static final String NETWORK_FAILURE = "{\"level\":\"ERROR\",\"exception\":{\"type\":\"SdkClientException\","
            + "\"message\":\"Unable to execute HTTP request: dynamodb.us-east-1.amazonaws.com (SDK Attempt Count: 3)\"}}\n"
            + "1180 590 3617 29 ok {\"statusCode\":500}";

    @Test
    void aCallThatFailedAtTheNetworkAfterFetchingCredentialsPasses() {
        assertThat(ColdStarts.productionPathProblem("ok", NETWORK_FAILURE, true, true))
                .isNull();
    }

    @Test
    void aClassLeftOutOfTheArtifactFails() {
        String output = "Exception in thread \"main\" java.lang.NoClassDefFoundError: "
                + "software/amazon/awssdk/auth/credentials/ContainerCredentialsProvider";
        assertThat(ColdStarts.productionPathProblem("died: NoClassDefFoundError", output, true, false))
                .contains("NoClassDefFoundError");
    }

    @Test
    void aMethodLeftOutFailsEvenWhenTheHandlerAnswered() {
        String output = NETWORK_FAILURE + "\njava.lang.NoSuchMethodError: 'void software.amazon.awssdk.Example.run()'";
        assertThat(ColdStarts.productionPathProblem("ok", output, true, true)).contains("NoSuchMethodError");
    }

    @Test
    void aFunctionThatNeverFetchedTheRoleCredentialsFails() {
        assertThat(ColdStarts.productionPathProblem("ok", NETWORK_FAILURE, true, false))
                .contains("credentials");
    }

    @Test
    void aFunctionThatNeverTriedThePublicEndpointFails() {
        assertThat(ColdStarts.productionPathProblem("ok", "Unable to execute HTTP request: 127.0.0.1", true, true))
                .contains("public endpoint");
    }

    @Test
    void aFunctionThatCallsNoServiceNeedsNeitherCredentialsNorAnEndpoint() {
        assertThat(ColdStarts.productionPathProblem("ok", "1 1 1 1 ok {\"statusCode\":405}", false, false))
                .isNull();
    }
}
