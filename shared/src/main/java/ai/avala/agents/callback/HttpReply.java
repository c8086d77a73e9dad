package ai.avala.agents.callback;

import java.util.Map;

/** What a receiver answered: status, headers (lower-case names) and at most the first bytes of the body. */
public record HttpReply(int status, Map<String, String> headers, String body, boolean truncated) {
    public HttpReply {
        headers = Map.copyOf(headers);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
