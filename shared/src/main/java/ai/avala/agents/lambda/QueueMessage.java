package ai.avala.agents.lambda;

import ai.avala.agents.json.JsonValue;

/** One SQS message of a Lambda batch: what the functions read of it. */
public record QueueMessage(String messageId, String body, Long sentTimestamp) {

    /** A record of the {@code Records} of Lambda's SQS event. */
    static QueueMessage fromRecord(JsonValue record) {
        JsonValue sent = record.path("attributes").path("SentTimestamp");
        Long sentTimestamp = sent.canConvertToLong() || sent.asText("").matches("[0-9]{1,15}") ? sent.asLong() : null;
        return new QueueMessage(
                record.path("messageId").asText(null), record.path("body").asText(null), sentTimestamp);
    }
}
