package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.list;
import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.local.emulator.LocalContext;
import ai.avala.agents.local.emulator.SamTemplate;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A REST API Gateway for the template's {@code Api} events: matches the route (with or without the
 * trailing slash, as API Gateway does), runs the API's REQUEST authorizer, invokes the function with a
 * proxy event and answers with its response. Gateway-level errors use the template's GatewayResponses.
 */
final class ApiGateway implements HttpHandler {

    private static final StackLog LOG = StackLog.of(ApiGateway.class);
    private static final int MAX_BODY = 10 * 1024 * 1024;

    record Route(
            String method,
            String path,
            Pattern pattern,
            List<String> parameters,
            LambdaFunctions.Function function,
            boolean authorized) {}

    private final List<Route> routes = new ArrayList<>();
    private final LambdaFunctions.Function authorizer;
    private final List<String> identityHeaders;
    private final Map<String, String> gatewayBodies = new HashMap<>();
    /** The template's status of a gateway response type, where it sets one (else API Gateway's default). */
    private final Map<String, Integer> gatewayStatuses = new HashMap<>();
    /** The template's headers of a gateway response type ({@code ResponseParameters.Headers}, quoted values). */
    private final Map<String, Map<String, String>> gatewayHeaders = new HashMap<>();

    ApiGateway(SamTemplate template, LambdaFunctions functions) {
        Map<String, Object> api = template.resources("AWS::Serverless::Api").values().stream()
                .findFirst()
                .orElse(Map.of());
        Map<String, Object> auth = map(api.get("Auth"));
        Object defaultAuthorizer = auth.get("DefaultAuthorizer");
        Map<String, Object> authorizerProps = map(map(auth.get("Authorizers")).get(String.valueOf(defaultAuthorizer)));
        this.authorizer = authorizerFunction(map(authorizerProps.get("FunctionArn")))
                .map(functions::get)
                .orElse(null);
        this.identityHeaders = list(map(authorizerProps.get("Identity")).get("Headers")).stream()
                .map(String::valueOf)
                .toList();
        map(api.get("GatewayResponses")).forEach((type, response) -> {
            Object body = map(map(response).get("ResponseTemplates")).get("application/json");
            if (body != null) {
                gatewayBodies.put(type, body.toString());
            }
            Object status = map(response).get("StatusCode");
            if (status != null) {
                gatewayStatuses.put(type, Integer.parseInt(status.toString()));
            }
            Map<String, String> headers = new LinkedHashMap<>();
            map(map(map(response).get("ResponseParameters")).get("Headers"))
                    .forEach((name, value) -> headers.put(name, value.toString().replaceAll("^'|'$", "")));
            gatewayHeaders.put(type, headers);
        });
        template.resources("AWS::Serverless::Function")
                .forEach((id, props) -> LambdaFunctions.events(props).values().forEach(value -> {
                    Map<String, Object> event = map(value);
                    if (!"Api".equals(event.get("Type"))) {
                        return;
                    }
                    Map<String, Object> p = map(event.get("Properties"));
                    String path = (String) p.get("Path");
                    boolean authorized = authorizer != null
                            && !"NONE".equals(map(p.get("Auth")).get("Authorizer"));
                    List<String> names = new ArrayList<>();
                    Matcher m = Pattern.compile("\\{([^}]+)}").matcher(path);
                    StringBuilder regex = new StringBuilder();
                    int last = 0;
                    while (m.find()) {
                        regex.append(Pattern.quote(path.substring(last, m.start())))
                                .append("([^/]+)");
                        names.add(m.group(1));
                        last = m.end();
                    }
                    regex.append(Pattern.quote(path.substring(last))).append("/?");
                    routes.add(new Route(
                            ((String) p.get("Method")).toUpperCase(Locale.ROOT),
                            path,
                            Pattern.compile(regex.toString()),
                            names,
                            functions.get(id),
                            authorized));
                }));
    }

    /** {@code !GetAtt Fn.Arn} or {@code !Ref Fn.Alias} (the SnapStart alias) name the authorizer function. */
    private static java.util.Optional<String> authorizerFunction(Map<String, Object> arn) {
        if (arn.containsKey("Fn::GetAtt")) {
            return java.util.Optional.of((String) list(arn.get("Fn::GetAtt")).get(0));
        }
        return arn.get("Ref") instanceof String ref
                ? java.util.Optional.of(ref.split("\\.")[0])
                : java.util.Optional.empty();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        int status = 500;
        try (exchange) {
            APIGatewayProxyResponseEvent response = dispatch(exchange);
            status = response.getStatusCode() == null ? 502 : response.getStatusCode();
            write(exchange, response);
        } catch (RuntimeException e) {
            LOG.error("Local API gateway failed", e);
            write(exchange, gatewayError(500, "DEFAULT_5XX", "Internal server error"));
        } finally {
            LOG.info(
                    "API request",
                    "method",
                    exchange.getRequestMethod(),
                    "path",
                    exchange.getRequestURI().getRawPath(),
                    "status",
                    status,
                    "duration_ms",
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private APIGatewayProxyResponseEvent dispatch(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        Route route = null;
        Matcher matcher = null;
        // As API Gateway: the path's own method first, else its ANY method.
        for (String wanted : List.of(method, "ANY")) {
            for (Route candidate : routes) {
                Matcher m = candidate.pattern().matcher(path);
                if (route == null && candidate.method().equals(wanted) && m.matches()) {
                    route = candidate;
                    matcher = m;
                }
            }
        }
        if (route == null) {
            return gatewayError(404, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token");
        }
        byte[] raw = readBody(exchange.getRequestBody());
        if (raw == null) {
            return gatewayError(413, "REQUEST_TOO_LARGE", "Request Too Long");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, List<String>> multiHeaders = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            headers.put(name, values.get(values.size() - 1));
            multiHeaders.put(name, values);
        });
        headers.put("X-Forwarded-Proto", "http");
        Map<String, String> pathParams = new LinkedHashMap<>();
        for (int i = 0; i < route.parameters().size(); i++) {
            pathParams.put(route.parameters().get(i), URLDecoder.decode(matcher.group(i + 1), StandardCharsets.UTF_8));
        }
        Map<String, List<String>> multiQuery =
                parseQuery(exchange.getRequestURI().getRawQuery());
        Map<String, String> query = new LinkedHashMap<>();
        multiQuery.forEach((name, values) -> query.put(name, values.get(values.size() - 1)));

        Map<String, Object> authorizerContext = null;
        if (route.authorized()) {
            var outcome = authorize(method, route, headers, query, pathParams);
            if (outcome.denied() != null) {
                return outcome.denied();
            }
            authorizerContext = outcome.context();
        }
        var context = new APIGatewayProxyRequestEvent.ProxyRequestContext()
                .withRequestId(UUID.randomUUID().toString())
                .withStage("local")
                .withPath(path)
                .withHttpMethod(method)
                .withResourcePath(route.path())
                .withAccountId("000000000000")
                .withIdentity(new APIGatewayProxyRequestEvent.RequestIdentity()
                        .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress()));
        context.setAuthorizer(authorizerContext);
        var event = new APIGatewayProxyRequestEvent()
                .withHttpMethod(method)
                .withPath(path)
                .withResource(route.path())
                .withHeaders(headers)
                .withMultiValueHeaders(multiHeaders)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withMultiValueQueryStringParameters(multiQuery.isEmpty() ? null : multiQuery)
                .withPathParameters(pathParams.isEmpty() ? null : pathParams)
                .withRequestContext(context)
                .withBody(raw.length == 0 ? null : new String(raw, StandardCharsets.UTF_8))
                .withIsBase64Encoded(false);
        var function = route.function();
        return function.invoke(
                event, APIGatewayProxyResponseEvent.class, new LocalContext(function.id(), function.timeoutMillis()));
    }

    private record AuthOutcome(Map<String, Object> context, APIGatewayProxyResponseEvent denied) {}

    @SuppressWarnings("unchecked")
    private AuthOutcome authorize(
            String method,
            Route route,
            Map<String, String> headers,
            Map<String, String> query,
            Map<String, String> pathParams) {
        for (String required : identityHeaders) {
            boolean present = headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase(required));
            if (!present) {
                return new AuthOutcome(null, unauthorized());
            }
        }
        var event = new APIGatewayCustomAuthorizerEvent();
        event.setType("REQUEST");
        event.setMethodArn("arn:aws:execute-api:us-east-1:000000000000:local/local/" + method + route.path());
        event.setResource(route.path());
        event.setHttpMethod(method);
        event.setHeaders(headers);
        event.setQueryStringParameters(query);
        event.setPathParameters(pathParams);
        Map<String, Object> result;
        try {
            result = authorizer.invoke(event, Map.class, new LocalContext(authorizer.id(), authorizer.timeoutMillis()));
        } catch (RuntimeException e) {
            if ("Unauthorized".equals(e.getMessage())) {
                return new AuthOutcome(null, unauthorized());
            }
            LOG.error("Authorizer failed", e);
            return new AuthOutcome(null, gatewayError(500, "AUTHORIZER_CONFIGURATION_ERROR", "Internal server error"));
        }
        List<Object> statements = list(map(result.get("policyDocument")).get("Statement"));
        boolean allowed =
                !statements.isEmpty() && statements.stream().allMatch(s -> "Allow".equals(map(s).get("Effect")));
        if (!allowed) {
            return new AuthOutcome(
                    null, gatewayError(403, "ACCESS_DENIED", "User is not authorized to access this resource"));
        }
        Map<String, Object> context = new LinkedHashMap<>(map(result.get("context")));
        context.put("principalId", result.get("principalId"));
        return new AuthOutcome(context, null);
    }

    private APIGatewayProxyResponseEvent unauthorized() {
        return gatewayError(401, "UNAUTHORIZED", "Unauthorized");
    }

    /**
     * An answer made by the gateway itself: the template's body for that response type (or its
     * DEFAULT_4XX/5XX), with {@code $context.error.messageString} filled in as API Gateway does.
     */
    private APIGatewayProxyResponseEvent gatewayError(int status, String type, String message) {
        String quoted = ai.avala.agents.json.Json.write(message);
        String body = gatewayBodies
                .getOrDefault(
                        type,
                        gatewayBodies.getOrDefault(
                                status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX",
                                "{\"message\": $context.error.messageString}"))
                .replace("$context.error.messageString", quoted);
        Map<String, String> headers = new LinkedHashMap<>(gatewayHeaders.getOrDefault(type, Map.of()));
        headers.put("Content-Type", "application/json");
        return new APIGatewayProxyResponseEvent()
                .withStatusCode(gatewayStatuses.getOrDefault(type, status))
                .withHeaders(headers)
                .withBody(body);
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? null : body;
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static void write(HttpExchange exchange, APIGatewayProxyResponseEvent response) throws IOException {
        if (response.getHeaders() != null) {
            response.getHeaders()
                    .forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders()
                    .forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
        }
        byte[] body = response.getBody() == null
                ? new byte[0]
                : Boolean.TRUE.equals(response.getIsBase64Encoded())
                        ? Base64.getDecoder().decode(response.getBody())
                        : response.getBody().getBytes(StandardCharsets.UTF_8);
        int status = response.getStatusCode() == null ? 502 : response.getStatusCode();
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }
}
