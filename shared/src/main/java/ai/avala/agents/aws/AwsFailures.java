package ai.avala.agents.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Which failures of an AWS call, still failing after the SDK's retries (and ours, for transaction conflicts),
 * are the dependency's and pass with time: throttling, a 5xx, a connection that failed or timed out, a
 * transaction cancelled only for conflicts. The API answers those with 503 and {@code Retry-After} (a 500
 * is left for bugs); the queue functions try them again within seconds. Told by the exception's type and
 * AWS's own classification, never by its message.
 */
public final class AwsFailures {

    private AwsFailures() {}

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    public static boolean isTransient(Throwable failure) {
        return switch (failure) {
            case TransactionCanceledException cancelled ->
                cancelled.hasCancellationReasons()
                        && cancelled.cancellationReasons().stream()
                                .allMatch(reason -> "None".equals(reason.code())
                                        || "TransactionConflict".equals(reason.code())
                                        || "ThrottlingError".equals(reason.code()));
            case AwsServiceException service -> service.isThrottlingException() || service.statusCode() >= 500;
            // The client's own failures are transient only when the network failed or timed out; a missing
            // credential or a request it could not build is a bug or a misconfiguration, not a wait.
            case PartialBatchFailure partial -> true;
            case ApiCallTimeoutException timeout -> true;
            case ApiCallAttemptTimeoutException timeout -> true;
            case SdkClientException client -> hasCause(client, java.io.IOException.class);
            default -> false;
        };
    }

    /**
     * Runs {@code write} until it succeeds, trying again within {@code budget} while it fails transiently: for the
     * writes that follow a callback, so that only a process that dies can make the callback again.
     */
    public static <T> T persist(java.util.function.Supplier<T> write, java.time.Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (RuntimeException e) {
                long pause = Math.min(2000, 100L << Math.min(attempt, 5));
                if (!isTransient(e) || System.nanoTime() + pause * 1_000_000 > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(
                            java.util.concurrent.ThreadLocalRandom.current().nextLong(pause / 2, pause + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
