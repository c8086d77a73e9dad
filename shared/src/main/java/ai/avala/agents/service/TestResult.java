package ai.avala.agents.service;

import ai.avala.agents.model.Execution;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answer of the test operation, with every key that one of the clients reads. */
public record TestResult(boolean delivered, Integer statusCode, String message, Execution execution) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("success", execution.status() == ai.avala.agents.model.ExecutionStatus.SUCCESS);
        json.put("delivered", delivered);
        json.put("status", execution.status().wire());
        json.put("status_code", statusCode);
        json.put("response", execution.responsePayload());
        json.put("message", message);
        json.put("execution", execution.uid());
        return json;
    }
}
