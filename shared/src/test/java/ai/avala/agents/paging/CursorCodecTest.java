package ai.avala.agents.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.errors.InvalidCursorException;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CursorCodecTest {

    private final CursorCodec codec = new CursorCodec("a-test-secret-of-enough-length");
    private final Map<String, String> key = Map.of("tenant", "acme", "uid", "agent_01");

    @Test
    void decode_shouldReturnTheKeyThatWasEncodedForTheSameScope() {
        String cursor = codec.encode("agents|acme", key);

        assertThat(cursor).matches("[A-Za-z0-9_.-]+");
        assertThat(codec.decode("agents|acme", cursor)).isEqualTo(key);
    }

    @Test
    void decode_shouldRefuseACursorIssuedForAnotherScope() {
        String cursor = codec.encode("agents|acme", key);

        assertThatThrownBy(() -> codec.decode("agents|other", cursor))
                .isInstanceOf(InvalidCursorException.class)
                .hasMessage("Invalid cursor.");
    }

    @Test
    void decode_shouldRefuseAnAlteredPayload() {
        String cursor = codec.encode("agents|acme", key);
        String forgedPayload = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"tenant\":\"other\",\"uid\":\"agent_01\"}".getBytes());
        String forged = forgedPayload + cursor.substring(cursor.indexOf('.'));

        assertThatThrownBy(() -> codec.decode("agents|acme", forged)).isInstanceOf(InvalidCursorException.class);
    }

    @Test
    void decode_shouldRefuseGarbageAndCursorsSignedWithAnotherSecret() {
        String foreign = new CursorCodec("another-secret-of-enough-length").encode("agents|acme", key);

        assertThatThrownBy(() -> codec.decode("agents|acme", foreign)).isInstanceOf(InvalidCursorException.class);
        assertThatThrownBy(() -> codec.decode("agents|acme", "abc")).isInstanceOf(InvalidCursorException.class);
        assertThatThrownBy(() -> codec.decode("agents|acme", "!!!.???")).isInstanceOf(InvalidCursorException.class);
        assertThatThrownBy(() -> codec.decode("agents|acme", "x".repeat(5000) + ".y"))
                .isInstanceOf(InvalidCursorException.class);
    }
}
