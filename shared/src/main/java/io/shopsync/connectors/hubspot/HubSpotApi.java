package io.shopsync.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.http.ErrorCodes;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HubSpot's CRM API as the connectors use it: date-versioned batch upserts by a unique property and
 * default associations, under a client-side rate limit, with a token refresh on 401.
 */
public final class HubSpotApi {

    public static final String DEFAULT_BASE_URL = "https://api.hubapi.com";
    public static final String API_VERSION = "2026-09";
    /** HubSpot's batch endpoints take at most 100 inputs. */
    public static final int BATCH_LIMIT = 100;
    private static final Duration LONGEST_WAIT_FOR_A_PERMIT = Duration.ofSeconds(2);
    /** HubSpot's error category for an id no object has. */
    private static final String OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND";

    private final TargetHttp http;
    private final String baseUrl;
    private final CachedSecret token;
    private final RateLimiter limiter;
    private final ObjectMapper json;
    private final Clock clock;

    public HubSpotApi(TargetHttp http, String baseUrl, CachedSecret token, RateLimiter limiter, ObjectMapper json,
                      Clock clock) {
        this.http = http;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.limiter = limiter;
        this.json = json;
        this.clock = clock;
    }

    /** One input of a batch upsert: {@code traceId} ties HubSpot's per-input results and errors back to it. */
    public record UpsertInput(String traceId, String idProperty, String id, Map<String, String> properties) {}

    /** The outcome of a batch call for its inputs. */
    public sealed interface BatchAnswer {
        /** HubSpot answered: object ids by trace id, and per-input errors by trace id. */
        record Answered(Map<String, String> ids, Map<String, String> errors) implements BatchAnswer {}

        /** The whole request failed. */
        record Failed(TargetResponse failure) implements BatchAnswer {}
    }

    /** {@code POST /crm/objects/2026-09/{objectType}/batch/upsert}, at most 100 inputs. */
    public BatchAnswer upsert(String objectType, List<UpsertInput> inputs) {
        TargetResponse response = post("/crm/objects/" + API_VERSION + "/" + objectType + "/batch/upsert",
                inputsBody(inputs.stream().map(i -> new UpdateInput(i.traceId(), i.idProperty(), i.id(), i.properties()))
                        .toList()));
        if (!(response instanceof TargetResponse.Success success)) {
            return new BatchAnswer.Failed(response);
        }
        return read(success.body(), inputs.stream().map(UpsertInput::traceId).toList());
    }

    /** The batch body upserts and updates share: inputs keyed by a unique property, traced per input. */
    private ObjectNode inputsBody(List<UpdateInput> inputs) {
        ObjectNode body = json.createObjectNode();
        ArrayNode array = body.putArray("inputs");
        for (UpdateInput input : inputs) {
            ObjectNode node = array.addObject();
            node.put("idProperty", input.idProperty());
            node.put("id", input.id());
            node.put("objectWriteTraceId", input.traceId());
            ObjectNode properties = node.putObject("properties");
            input.properties().forEach(properties::put);
        }
        return body;
    }

    /** {@code POST /crm/associations/2026-09/{from}/{to}/batch/associate/default}: safe to repeat. */
    public TargetResponse associateDefault(String fromType, String toType, Map<String, String> fromIdToToId) {
        ObjectNode body = json.createObjectNode();
        ArrayNode inputs = body.putArray("inputs");
        fromIdToToId.forEach((from, to) -> {
            ObjectNode input = inputs.addObject();
            input.putObject("from").put("id", from);
            input.putObject("to").put("id", to);
        });
        return post("/crm/associations/" + API_VERSION + "/" + fromType + "/" + toType + "/batch/associate/default", body);
    }

    /**
     * One input of a batch update: the existing object whose unique {@code idProperty} holds {@code id}.
     * {@code traceId} ties HubSpot's per-input results and errors back to it.
     */
    public record UpdateInput(String traceId, String idProperty, String id, Map<String, String> properties) {}

    /** HubSpot's answer for one input of a batch update. */
    public sealed interface UpdateResult {
        /** The object was updated. */
        record Updated(String objectId) implements UpdateResult {}

        /** No object has the input's id: an update never creates one. */
        record NotFound(String reason) implements UpdateResult {}

        /** HubSpot refused this input ({@code VALIDATION_ERROR}, {@code RATE_LIMIT}, ...), the others went on. */
        record Rejected(String category, String reason) implements UpdateResult {}

        /** The request carrying the input failed as a whole (429, 5xx, timeout, 401, ...), or said nothing of it. */
        record RequestFailed(TargetResponse failure) implements UpdateResult {}
    }

    /**
     * {@code POST /crm/objects/2026-09/{objectType}/batch/update}, at most 100 inputs, each naming its
     * object by a unique property ({@code idProperty} in the input, as for upserts). Unlike an upsert it
     * never creates an object.
     *
     * <p>Assumed, not yet checked in a sandbox: HubSpot reports an id no object has as a
     * {@code StandardError} of category {@code OBJECT_NOT_FOUND} (its documented error shape), either
     * among the {@code errors} of a 200/207, naming the input by {@code context.objectWriteTraceId} or by
     * {@code context.ids}, or as the whole answer (404, or 400) when it refuses the request. A refused
     * request with several inputs is repeated input by input, so only the missing ones are not found.
     *
     * @return one result per input, by trace id
     */
    public Map<String, UpdateResult> update(String objectType, List<UpdateInput> inputs) {
        TargetResponse response = post("/crm/objects/" + API_VERSION + "/" + objectType + "/batch/update",
                inputsBody(inputs));
        Map<String, UpdateResult> results = new LinkedHashMap<>();
        if (response instanceof TargetResponse.Success success) {
            return readUpdate(success.body(), inputs);
        }
        if (response instanceof TargetResponse.Permanent refused && refused.reason().contains(OBJECT_NOT_FOUND)) {
            if (inputs.size() == 1) {
                results.put(inputs.get(0).traceId(), new UpdateResult.NotFound(refused.reason()));
                return results;
            }
            for (UpdateInput input : inputs) {
                results.putAll(update(objectType, List.of(input)));
            }
            return results;
        }
        for (UpdateInput input : inputs) {
            results.put(input.traceId(), new UpdateResult.RequestFailed(response));
        }
        return results;
    }

    /** The results and errors of a 200 or 207 to a batch update, per input. */
    private Map<String, UpdateResult> readUpdate(String body, List<UpdateInput> inputs) {
        Map<String, UpdateResult> results = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            TargetResponse unreadable = new TargetResponse.Transient(
                    "hubspot answered a batch update with a body that is not JSON", Optional.empty());
            inputs.forEach(input -> results.put(input.traceId(), new UpdateResult.RequestFailed(unreadable)));
            return results;
        }
        for (JsonNode result : root.path("results")) {
            if (!result.hasNonNull("id")) {
                continue;
            }
            String trace = result.path("objectWriteTraceId").asText(null);
            for (UpdateInput input : inputs) {
                boolean same = trace != null ? trace.equals(input.traceId())
                        : input.id().equals(result.path("properties").path(input.idProperty()).asText(null));
                if (same) {
                    results.put(input.traceId(), new UpdateResult.Updated(result.get("id").asText()));
                }
            }
        }
        if (results.isEmpty() && inputs.size() == 1 && root.path("results").size() == 1
                && root.path("results").get(0).hasNonNull("id")) {
            // Some HubSpot responses omit the trace id: with a single input the result is unambiguous.
            results.put(inputs.get(0).traceId(), new UpdateResult.Updated(root.path("results").get(0).get("id").asText()));
        }
        for (JsonNode error : root.path("errors")) {
            String category = error.path("category").asText("ERROR");
            String reason = rejection(error);
            UpdateResult failed = OBJECT_NOT_FOUND.equals(category) ? new UpdateResult.NotFound(reason)
                    : new UpdateResult.Rejected(category, reason);
            List<String> traces = new ArrayList<>();
            error.path("context").path("objectWriteTraceId").forEach(t -> traces.add(t.asText()));
            List<String> ids = new ArrayList<>();
            error.path("context").path("ids").forEach(id -> ids.add(id.asText()));
            List<UpdateInput> named = inputs.stream()
                    .filter(input -> traces.contains(input.traceId()) || ids.contains(input.id())).toList();
            if (named.isEmpty() && traces.isEmpty() && ids.isEmpty()) {
                // The error names no input: it is about the ones HubSpot did not write.
                named = inputs.stream().filter(input -> !results.containsKey(input.traceId())).toList();
            }
            named.forEach(input -> results.put(input.traceId(), failed));
        }
        for (UpdateInput input : inputs) {
            results.putIfAbsent(input.traceId(), new UpdateResult.RequestFailed(new TargetResponse.Transient(
                    "hubspot answered a batch update without a result or an error for this input", Optional.empty())));
        }
        return results;
    }

    private TargetResponse post(String path, ObjectNode body) {
        Optional<Instant> busyUntil = limiter.acquire(LONGEST_WAIT_FOR_A_PERMIT);
        if (busyUntil.isPresent()) {
            return new TargetResponse.Transient("hubspot client-side rate limit reached (HUBSPOT_REQUESTS_PER_10S)",
                    busyUntil);
        }
        TargetResponse response = send(path, body);
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 401
                && token.refreshAfterRejection()) {
            response = send(path, body);
        }
        if (response instanceof TargetResponse.Transient retry && retry.notBefore().isEmpty()
                && retry.reason().contains("TEN_SECONDLY_ROLLING")) {
            // HubSpot sends no Retry-After on its ten-second limit: the window frees within 10 s.
            return new TargetResponse.Transient(retry.reason(), Optional.of(clock.instant().plusSeconds(10)),
                    retry.answer());
        }
        return response;
    }

    private TargetResponse send(String path, ObjectNode body) {
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a HubSpot request", e);
        }
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + token.get())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
    }

    /**
     * One of the per-input errors of a 200 or 207, by its codes only ({@code category}, {@code errors[].code},
     * {@code errors[].in}, {@code context.propertyName}): its messages quote the values it refused.
     */
    private static String rejection(JsonNode error) {
        String codes = ErrorCodes.of(error);
        return "hubspot rejected the input" + (codes.isEmpty() ? "" : ": " + codes);
    }

    /** Results and errors of a 200 or 207, by objectWriteTraceId. */
    private BatchAnswer read(String body, List<String> traceIds) {
        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            return new BatchAnswer.Failed(new TargetResponse.Transient("hubspot answered a batch with a body that is not JSON",
                    Optional.empty()));
        }
        for (JsonNode result : root.path("results")) {
            String trace = result.path("objectWriteTraceId").asText(null);
            if (trace != null && result.hasNonNull("id")) {
                ids.put(trace, result.get("id").asText());
            }
        }
        for (JsonNode error : root.path("errors")) {
            String reason = rejection(error);
            for (JsonNode trace : error.path("context").path("objectWriteTraceId")) {
                errors.put(trace.asText(), reason);
            }
        }
        if (ids.isEmpty() && errors.isEmpty() && traceIds.size() == 1 && root.path("results").size() == 1) {
            // Some HubSpot responses omit the trace id: with a single input the result is unambiguous.
            ids.put(traceIds.get(0), root.path("results").get(0).path("id").asText());
        }
        return new BatchAnswer.Answered(ids, errors);
    }
}
