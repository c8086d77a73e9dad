package ai.avala.agents.config;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * The one HTTP client (URL connection) that every AWS SDK client of a container shares, built on its own
 * thread from the moment a function is wired. Building it loads the TLS stack and reads the JDK's trust
 * store, the largest single piece of a cold start (about 200 ms here); on its own thread that overlaps with
 * building the SDK clients instead of preceding it. A request waits for it only while it is still being
 * built. It lives as long as the container: closing an SDK client leaves it open (the SDK never closes a
 * client it was given).
 */
final class SharedHttpClient implements SdkHttpClient {

    private static final SharedHttpClient INSTANCE = new SharedHttpClient();
    private final CompletableFuture<SdkHttpClient> client = new CompletableFuture<>();

    private SharedHttpClient() {
        Thread.ofPlatform().daemon().name("aws-http-client-init").start(() -> {
            try {
                client.complete(UrlConnectionHttpClient.create());
            } catch (Throwable e) {
                client.completeExceptionally(e);
            }
        });
    }

    /** The shared client; the first call starts building it. */
    static SdkHttpClient instance() {
        return INSTANCE;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return built().prepareRequest(request);
    }

    @Override
    public String clientName() {
        return "UrlConnection";
    }

    @Override
    public void close() {
        // Shared by every SDK client of the container, for its whole life.
    }

    private SdkHttpClient built() {
        try {
            return client.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}
