package ai.avala.agents.aws;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.lambda.Background;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * The one HTTP client (URL connection) that every AWS SDK client of a container shares, built on its own
 * thread (see {@link Background}) from the moment a function is wired. Building it loads the TLS stack and
 * reads the JDK's trust store, the largest single piece of a cold start (about 200 ms here); on its own
 * thread that overlaps with building the SDK clients instead of preceding it. The same thread then readies
 * what every request does besides calling AWS: reading and writing JSON (jackson-core's first parser
 * initializes {@code BigDecimal}, some 30 ms on JDK 25) and formatting timestamps. A request waits for the client only while it is still being built.
 * It lives as long as the container: closing an SDK client leaves it open (the SDK never closes a client it
 * was given).
 */
final class SharedHttpClient implements SdkHttpClient {

    private static final SharedHttpClient INSTANCE = new SharedHttpClient();
    private final CompletableFuture<SdkHttpClient> client = Background.start("aws-http-client-init", () -> {
        SdkHttpClient built = UrlConnectionHttpClient.create();
        // What every request does besides calling AWS: read JSON, write JSON with timestamps.
        Json.write(Json.parse("{\"ready\": [1.5, true, null, \"" + Timestamps.format(Instant.EPOCH) + "\"]}"));
        return built;
    });

    private SharedHttpClient() {}

    /** The shared client; the first call starts building it. */
    static SdkHttpClient instance() {
        return INSTANCE;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return Background.await(client).prepareRequest(request);
    }

    @Override
    public String clientName() {
        return "UrlConnection";
    }

    @Override
    public void close() {
        // Shared by every SDK client of the container, for its whole life.
    }
}
