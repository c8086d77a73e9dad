package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.readString;
import static ai.avala.agents.store.Attributes.string;

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

    /** Seeded on first use: a function that reads never pays for it. */
    private static final class Random {
        static final SecureRandom SOURCE = new SecureRandom();
    }

    private static final java.util.regex.Pattern TENANT =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    private final DynamoDbClient dynamo;
    private final String table;

    public ApiKeyStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static String newKey() {
        byte[] bytes = new byte[32];
        Random.SOURCE.nextBytes(bytes);
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

    /**
     * The value of the tenant's API Gateway API key in the template's usage plan: the authorizer names it
     * ({@code usageIdentifierKey}) so that API Gateway throttles each tenant on its own. Not a credential
     * (the API key source is the authorizer, callers cannot send it); derived, so nothing stores it.
     */
    public static String usageKey(String tenant) {
        return "tenant-" + hash(tenant).substring(0, 40);
    }

    /** Letters, digits and {@code _ . : -}, 1 to 128 of them: tenants are parts of DynamoDB keys. */
    public static boolean isValidTenant(String tenant) {
        return tenant != null && TENANT.matcher(tenant).matches();
    }

    /** Stores the hash of {@code key} for {@code tenant}; the key itself is never written. */
    public void register(String key, String tenant) {
        if (!isValidTenant(tenant)) {
            throw new IllegalArgumentException("A tenant is 1 to 128 letters, digits, '_', '.', ':' or '-'");
        }
        dynamo.putItem(r -> r.tableName(table)
                .item(Map.of(
                        "key_hash", string(hash(key)),
                        "tenant", string(tenant),
                        "created_at", string(Instant.now().toString()))));
    }

    public boolean revoke(String key) {
        var old = dynamo.deleteItem(r -> r.tableName(table)
                .key(Map.of("key_hash", string(hash(key))))
                .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_OLD));
        return old.hasAttributes() && !old.attributes().isEmpty();
    }

    public Optional<String> tenantOf(String key) {
        var item = dynamo.getItem(r -> r.tableName(table).key(Map.of("key_hash", string(hash(key)))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.ofNullable(readString(item, "tenant"));
    }
}
