package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.s;
import static ai.avala.agents.store.Attributes.str;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** API keys, stored only as SHA-256 hashes, each mapping to one tenant. */
public final class ApiKeyStore {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final DynamoDbClient dynamo;
    private final String table;

    public ApiKeyStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "avk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Stores the hash of {@code key} for {@code tenant}; the key itself is never written. */
    public void register(String key, String tenant) {
        dynamo.putItem(r -> r.tableName(table).item(Map.of(
                "key_hash", s(hash(key)),
                "tenant", s(tenant),
                "created_at", s(Instant.now().toString()))));
    }

    public boolean revoke(String key) {
        var old = dynamo.deleteItem(r -> r.tableName(table).key(Map.of("key_hash", s(hash(key))))
                .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_OLD));
        return old.hasAttributes() && !old.attributes().isEmpty();
    }

    public Optional<String> tenantOf(String key) {
        var item = dynamo.getItem(r -> r.tableName(table).key(Map.of("key_hash", s(hash(key))))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.ofNullable(str(item, "tenant"));
    }
}
