package ai.avala.agents.lambda;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Work that a cold start needs, started on its own daemon thread so that it overlaps with the rest of the
 * cold start (building the AWS clients, the first request) instead of preceding it: a TLS trust store, a
 * second AWS client, a secret. Whoever needs the result waits for it only while it is still being made.
 */
public final class Background {

    private Background() {}

    /** Starts {@code work} on a new daemon thread named {@code name}. */
    public static <T> CompletableFuture<T> start(String name, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The result, once made; what the work threw is thrown here as it was (an unchecked exception or error). */
    public static <T> T await(CompletableFuture<T> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
