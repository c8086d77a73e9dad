package ai.avala.agents.model;

import java.util.LinkedHashMap;
import java.util.Map;

public record ExecutionStats(long total, long success, long failed, long pending) {

    public static final ExecutionStats ZERO = new ExecutionStats(0, 0, 0, 0);

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("total", total);
        json.put("success", success);
        json.put("failed", failed);
        json.put("pending", pending);
        return json;
    }
}
