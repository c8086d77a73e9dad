package ai.avala.agents.api;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Which failures of an AWS call, still failing after the SDK's retries (and ours, for transaction conflicts),
 * are the dependency's and pass with time: throttling, a 5xx, a connection that failed or timed out, a
 * transaction cancelled only for conflicts. Those answer 503 with {@code Retry-After}, which clients, load
 * balancers and operators can act on; a 500 is left for bugs. Told by the exception's type and AWS's own
 * classification, never by its message.
 */
final class DependencyFailures {

    private DependencyFailures() {}

    static boolean isTransient(Throwable failure) {
        return switch (failure) {
            case TransactionCanceledException cancelled ->
                cancelled.hasCancellationReasons()
                        && cancelled.cancellationReasons().stream()
                                .allMatch(reason -> "None".equals(reason.code())
                                        || "TransactionConflict".equals(reason.code())
                                        || "ThrottlingError".equals(reason.code()));
            case AwsServiceException service -> service.isThrottlingException() || service.statusCode() >= 500;
            case SdkClientException client -> true;
            default -> false;
        };
    }
}
