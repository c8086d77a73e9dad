package ai.avala.agents.local.emulator;

import static ai.avala.agents.local.emulator.SamTemplate.list;
import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.config.Configuration;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The template's tables and queues, created in an emulator as the template declares them, and the
 * physical name, URL and ARN of each, so that intrinsic references in the template can be resolved.
 * Locally a resource's physical name is its logical id.
 */
public final class LocalResources {

    /** What {@code Ref} and {@code Fn::GetAtt} give for one resource. */
    public record Physical(String ref, Map<String, String> attributes) {}

    /** The region the local stack and the tests run in. */
    public static final String REGION = "us-east-1";

    private final SamTemplate template;
    private final String endpoint;
    private final Configuration.Aws aws;
    private final Map<String, Physical> resources = new LinkedHashMap<>();

    private LocalResources(SamTemplate template, String endpoint) {
        this.template = template;
        this.endpoint = endpoint;
        this.aws = Configuration.Aws.emulator(endpoint, REGION);
    }

    /**
     * Creates every {@code AWS::DynamoDB::Table}, {@code AWS::SQS::Queue} and {@code AWS::SecretsManager::Secret}
     * of the template (existing ones are kept).
     */
    public static LocalResources provision(SamTemplate template, String endpoint) {
        LocalResources local = new LocalResources(template, endpoint);
        Configuration.Aws aws = local.aws;
        try (DynamoDbClient dynamo = AwsClients.dynamoDb(aws)) {
            template.resources("AWS::DynamoDB::Table").forEach((id, props) -> {
                local.createTable(dynamo, id, props);
                var table = dynamo.describeTable(r -> r.tableName(id)).table();
                Map<String, String> attributes = new HashMap<>(Map.of("Arn", table.tableArn()));
                if (table.latestStreamArn() != null) {
                    attributes.put("StreamArn", table.latestStreamArn());
                }
                local.resources.put(id, new Physical(id, attributes));
            });
        }
        try (SqsClient sqs = sqs(aws)) {
            // Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
            var queues = template.resources("AWS::SQS::Queue");
            queues.forEach((id, props) -> {
                if (!props.containsKey("RedrivePolicy")) {
                    local.createQueue(sqs, id, props);
                }
            });
            queues.forEach((id, props) -> {
                if (props.containsKey("RedrivePolicy")) {
                    local.createQueue(sqs, id, props);
                }
            });
        }
        try (SecretsManagerClient secrets = AwsClients.build(SecretsManagerClient.builder(), aws)) {
            template.resources("AWS::SecretsManager::Secret")
                    .forEach((id, props) -> local.createSecret(secrets, id, props));
        }
        return local;
    }

    public static SqsClient sqs(Configuration.Aws aws) {
        return AwsClients.build(SqsClient.builder(), aws);
    }

    public Physical physical(String logicalId) {
        return resources.get(logicalId);
    }

    public Configuration.Aws aws() {
        return aws;
    }

    /** The variables that point a function at the emulator: endpoint, region and (dummy) credentials. */
    public Map<String, String> awsVariables() {
        return Map.of(
                "AWS_ENDPOINT_URL",
                endpoint,
                "AWS_REGION",
                REGION,
                "AWS_ACCESS_KEY_ID",
                "testing",
                "AWS_SECRET_ACCESS_KEY",
                "testing");
    }

    public SamTemplate template() {
        return template;
    }

    /**
     * A template value as it would be after deployment: {@code Ref} of a resource or parameter,
     * {@code Fn::GetAtt}, {@code Fn::Sub} of such references.
     */
    public String resolve(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        Map<String, Object> fn = map(value);
        if (fn.containsKey("Ref")) {
            String name = (String) fn.get("Ref");
            Physical physical = resources.get(name);
            if (physical != null) {
                return physical.ref();
            }
            if (name.startsWith("AWS::")) {
                return pseudo(name);
            }
            return resolve(template.parameterDefaults().get(name));
        }
        if (fn.containsKey("Fn::GetAtt")) {
            List<Object> parts = list(fn.get("Fn::GetAtt"));
            Physical physical = resources.get((String) parts.get(0));
            return physical == null ? null : physical.attributes().get((String) parts.get(1));
        }
        if (fn.containsKey("Fn::Sub") && fn.get("Fn::Sub") instanceof String text) {
            var matcher = java.util.regex.Pattern.compile("\\$\\{([^}]+)}").matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String ref = matcher.group(1);
                String resolved = ref.contains(".") && !ref.startsWith("AWS::")
                        ? resolve(Map.of("Fn::GetAtt", List.of(ref.split("\\.", 2))))
                        : resolve(Map.of("Ref", ref));
                matcher.appendReplacement(
                        out, java.util.regex.Matcher.quoteReplacement(resolved == null ? "" : resolved));
            }
            matcher.appendTail(out);
            return out.toString();
        }
        throw new IllegalArgumentException("The local stack cannot resolve " + value);
    }

    private String pseudo(String name) {
        return switch (name) {
            case "AWS::Region" -> REGION;
            case "AWS::AccountId" -> "000000000000";
            case "AWS::StackName" -> "local";
            case "AWS::Partition" -> "aws";
            case "AWS::URLSuffix" -> "amazonaws.com";
            default -> "";
        };
    }

    private void createTable(DynamoDbClient dynamo, String id, Map<String, Object> props) {
        AtomicConditionalWrites.registerTable(
                id,
                keys(props.get("KeySchema")).stream()
                        .map(KeySchemaElement::attributeName)
                        .toList());
        try {
            dynamo.createTable(r -> {
                r.tableName(id)
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(keys(props.get("KeySchema")))
                        .attributeDefinitions(list(props.get("AttributeDefinitions")).stream()
                                .map(SamTemplate::map)
                                .map(a -> AttributeDefinition.builder()
                                        .attributeName((String) a.get("AttributeName"))
                                        .attributeType((String) a.get("AttributeType"))
                                        .build())
                                .toList());
                List<GlobalSecondaryIndex> indexes = list(props.get("GlobalSecondaryIndexes")).stream()
                        .map(SamTemplate::map)
                        .map(gsi -> GlobalSecondaryIndex.builder()
                                .indexName((String) gsi.get("IndexName"))
                                .keySchema(keys(gsi.get("KeySchema")))
                                .projection(Projection.builder()
                                        .projectionType(ProjectionType.fromValue((String)
                                                map(gsi.get("Projection")).getOrDefault("ProjectionType", "ALL")))
                                        .build())
                                .build())
                        .toList();
                if (!indexes.isEmpty()) {
                    r.globalSecondaryIndexes(indexes);
                }
                Object streamView = map(props.get("StreamSpecification")).get("StreamViewType");
                if (streamView != null) {
                    r.streamSpecification(spec -> spec.streamEnabled(true).streamViewType((String) streamView));
                }
            });
        } catch (ResourceInUseException exists) {
            return;
        }
        Map<String, Object> ttl = map(props.get("TimeToLiveSpecification"));
        if (Boolean.TRUE.equals(ttl.get("Enabled"))) {
            dynamo.updateTimeToLive(r -> r.tableName(id)
                    .timeToLiveSpecification(t -> t.enabled(true).attributeName((String) ttl.get("AttributeName"))));
        }
    }

    /** A secret with a value generated as {@code GenerateSecretString} asks (letters and digits, its length). */
    private void createSecret(SecretsManagerClient secrets, String id, Map<String, Object> props) {
        Object length = map(props.get("GenerateSecretString")).get("PasswordLength");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < (length instanceof Number n ? n.intValue() : 32); i++) {
            value.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        String arn;
        try {
            arn = secrets.createSecret(r -> r.name(id).secretString(value.toString()))
                    .arn();
        } catch (ResourceExistsException exists) {
            arn = secrets.describeSecret(r -> r.secretId(id)).arn();
        }
        resources.put(id, new Physical(arn, Map.of("Id", arn)));
    }

    private static List<KeySchemaElement> keys(Object schema) {
        return list(schema).stream()
                .map(SamTemplate::map)
                .map(k -> KeySchemaElement.builder()
                        .attributeName((String) k.get("AttributeName"))
                        .keyType((String) k.get("KeyType"))
                        .build())
                .toList();
    }

    private void createQueue(SqsClient sqs, String id, Map<String, Object> props) {
        Map<QueueAttributeName, String> attributes = new HashMap<>();
        for (var name : List.of(
                "VisibilityTimeout",
                "MessageRetentionPeriod",
                "DelaySeconds",
                "ReceiveMessageWaitTimeSeconds",
                "MaximumMessageSize")) {
            if (props.containsKey(name)) {
                attributes.put(QueueAttributeName.fromValue(name), resolve(props.get(name)));
            }
        }
        Map<String, Object> redrive = map(props.get("RedrivePolicy"));
        if (!redrive.isEmpty()) {
            attributes.put(
                    QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\""
                            + resolve(redrive.get("deadLetterTargetArn")) + "\",\"maxReceiveCount\":"
                            + resolve(redrive.get("maxReceiveCount")) + "}");
        }
        String url =
                sqs.createQueue(r -> r.queueName(id).attributes(attributes)).queueUrl();
        String arn = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        resources.put(id, new Physical(url, Map.of("Arn", arn, "QueueUrl", url, "QueueName", id)));
    }
}
