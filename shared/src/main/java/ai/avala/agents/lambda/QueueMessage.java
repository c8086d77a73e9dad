package ai.avala.agents.lambda;

import ai.avala.agents.json.JsonValue;

/**
 * One SQS message of a Lambda batch: what the functions read of it. {@code transientRetries}: how many times it
 * was sent again after a dependency failed it (its {@code transient_retries} attribute; 0 when absent);
 * {@code receiveCount}: SQS's {@code ApproximateReceiveCount}, this receive included (1 when absent).
 */
public record QueueMessage(String messageId, String body, Long sentTimestamp, int transientRetries, int receiveCount) {

    public QueueMessage(String messageId, String body, Long sentTimestamp, int transientRetries) {
        this(messageId, body, sentTimestamp, transientRetries, 1);
    }

    /** The name of the message attribute that counts a message's sendings after transient failures. */
    public static final String TRANSIENT_RETRIES = "transient_retries";

    /** A record of the {@code Records} of Lambda's SQS event. */
    static QueueMessage fromRecord(JsonValue record) {
        JsonValue sent = record.path("attributes").path("SentTimestamp");
        Long sentTimestamp = sent.canConvertToLong() || sent.asText("").matches("[0-9]{1,15}") ? sent.asLong() : null;
        JsonValue retries =
                record.path("messageAttributes").path(TRANSIENT_RETRIES).path("stringValue");
        String received =
                record.path("attributes").path("ApproximateReceiveCount").asText("");
        return new QueueMessage(
                record.path("messageId").asText(null),
                record.path("body").asText(null),
                sentTimestamp,
                retries.asText("").matches("[0-9]{1,4}") ? Integer.parseInt(retries.asText()) : 0,
                received.matches("[0-9]{1,6}") ? Math.max(1, Integer.parseInt(received)) : 1);
    }
}
