package ai.avala.agents.aws;

/**
 * Entries of a batch request (SQS {@code SendMessageBatch}) that AWS failed on its side ({@code SenderFault}
 * false) and that still failed when sent again: transient, like a throttled call.
 */
public final class PartialBatchFailure extends RuntimeException {

    public PartialBatchFailure(String message) {
        super(message, null, false, false);
    }
}
