package io.shopsync.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.RequestPermits;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

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
    private final RequestPermits limiter;
    private final ObjectMapper json;
    private final Clock clock;

    public HubSpotApi(TargetHttp http, String baseUrl, CachedSecret token, RequestPermits limiter, ObjectMapper json,
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

    /**
     * {@code POST /crm/objects/2026-09/{objectType}/batch/upsert}, at most 100 inputs.
     *
     * @return one result per input, by trace id ({@link UpdateResult.Updated} carries the object's id)
     */
    public Map<String, UpdateResult> upsert(String objectType, List<UpsertInput> inputs) {
        return write("/crm/objects/" + API_VERSION + "/" + objectType + "/batch/upsert", inputs.stream()
                .map(i -> written(new UpdateInput(i.traceId(), i.idProperty(), i.id(), i.properties()))).toList());
    }

    /**
     * {@code POST /crm/associations/2026-09/{from}/{to}/batch/associate/default}: safe to repeat.
     *
     * @param fromIdToToId the pairs to associate, by the id of the object they start from
     * @return one result per pair, by the id it starts from
     */
    public Map<String, UpdateResult> associateDefault(String fromType, String toType, Map<String, String> fromIdToToId) {
        List<Sent> pairs = new ArrayList<>();
        fromIdToToId.forEach((from, to) -> {
            ObjectNode input = json.createObjectNode();
            input.putObject("from").put("id", from);
            input.putObject("to").put("id", to);
            // HubSpot answers the association each way: either direction is this pair's result.
            pairs.add(new Sent(from, input, Set.of(from, to), false, result -> {
                String resultFrom = result.path("from").path("id").asText();
                String resultTo = result.path("to").path("id").asText();
                return resultFrom.equals(from) && resultTo.equals(to) || resultFrom.equals(to) && resultTo.equals(from);
            }));
        });
        return write("/crm/associations/" + API_VERSION + "/" + fromType + "/" + toType + "/batch/associate/default", pairs);
    }

    /**
     * {@code POST /communication-preferences/<version>/statuses/batch/write} for one e-mail address: its
     * subscription status for {@code subscriptionId}, with the legal basis HubSpot records for GDPR. HubSpot's
     * communication preferences know the EMAIL channel only. The answer is read like every batch: an error
     * naming the address, or a whole request refused, fails it.
     *
     * @param statusState {@code SUBSCRIBED} or {@code UNSUBSCRIBED}
     */
    public UpdateResult writeSubscriptionStatus(String email, long subscriptionId, String statusState,
                                                String legalBasis, String legalBasisExplanation) {
        ObjectNode input = json.createObjectNode();
        input.put("subscriberIdString", email);
        input.put("channel", "EMAIL");
        input.put("subscriptionId", subscriptionId);
        input.put("statusState", statusState);
        input.put("legalBasis", legalBasis);
        input.put("legalBasisExplanation", legalBasisExplanation);
        Sent sent = new Sent(email, input, Set.of(email), false,
                result -> email.equalsIgnoreCase(result.path("subscriberIdString").asText()));
        return write("/communication-preferences/" + API_VERSION + "/statuses/batch/write", List.of(sent)).get(email);
    }

    /**
     * One input of a batch update: the existing object whose unique {@code idProperty} holds {@code id}.
     * {@code traceId} ties HubSpot's per-input results and errors back to it.
     */
    public record UpdateInput(String traceId, String idProperty, String id, Map<String, String> properties) {}

    /** HubSpot's answer for one input of a batch write: an update, an upsert or an association. */
    public sealed interface UpdateResult {
        /** The object was written (or the pair associated). */
        record Updated(String objectId) implements UpdateResult {}

        /** No object has the input's id: an update never creates one. */
        record NotFound(String reason) implements UpdateResult {}

        /** HubSpot refused this input ({@code VALIDATION_ERROR}, {@code RATE_LIMIT}, ...), the others went on. */
        record Rejected(String category, String reason) implements UpdateResult {
            /** Whether the same input may get past later: rate limits, conflicts and locks pass. */
            public boolean retryable() {
                return RETRYABLE_CATEGORIES.contains(category);
            }
        }

        /** The request carrying the input failed as a whole (429, 5xx, timeout, 401, ...), or said nothing of it. */
        record RequestFailed(TargetResponse failure) implements UpdateResult {}
    }

    /** Per-input error categories the same input may get past later. */
    private static final Set<String> RETRYABLE_CATEGORIES = Set.of("RATE_LIMIT", "RATE_LIMITS", "CONFLICT", "LOCKED");

    /**
     * {@code POST /crm/objects/2026-09/{objectType}/batch/update}, at most 100 inputs, each naming its
     * object by a unique property ({@code idProperty} in the input, as for upserts). Unlike an upsert it
     * never creates an object.
     *
     * <p>Assumed, not yet checked in a sandbox: HubSpot reports an id no object has as a
     * {@code StandardError} of category {@code OBJECT_NOT_FOUND} (its documented error shape), either
     * among the {@code errors} of a 200/207 or as the whole answer (404, or 400) when it refuses the request.
     *
     * @return one result per input, by trace id
     */
    public Map<String, UpdateResult> update(String objectType, List<UpdateInput> inputs) {
        return write("/crm/objects/" + API_VERSION + "/" + objectType + "/batch/update",
                inputs.stream().map(this::written).toList());
    }

    /**
     * One input as sent: the key its result is returned under, its JSON, the values an error may name it by,
     * whether a 2xx must carry a result for it (an object id the caller needs), and how to spot that result.
     */
    private record Sent(String key, ObjectNode body, Set<String> names, boolean needsResult, Predicate<JsonNode> owns) {}

    /** An object input, upserted or updated by a unique property. */
    private Sent written(UpdateInput input) {
        ObjectNode node = json.createObjectNode();
        node.put("idProperty", input.idProperty());
        node.put("id", input.id());
        node.put("objectWriteTraceId", input.traceId());
        ObjectNode properties = node.putObject("properties");
        input.properties().forEach(properties::put);
        return new Sent(input.traceId(), node, Set.of(input.traceId(), input.id()), true, result -> {
            String trace = result.path("objectWriteTraceId").asText(null);
            return trace != null ? trace.equals(input.traceId())
                    : input.id().equalsIgnoreCase(result.path("properties").path(input.idProperty()).asText(null));
        });
    }

    /**
     * Sends a batch and answers per input. HubSpot can refuse a whole batch with 400 for one bad input (and a
     * batch update with 404/400 for one missing object): such a batch is split in halves and each half sent
     * again, so only the inputs at fault fail. The same happens to the inputs an error inside a 2xx does not
     * name, when more than one could be the one it is about.
     */
    private Map<String, UpdateResult> write(String path, List<Sent> inputs) {
        ObjectNode body = json.createObjectNode();
        ArrayNode array = body.putArray("inputs");
        inputs.forEach(input -> array.add(input.body()));
        TargetResponse response = post(path, body);
        if (response instanceof TargetResponse.Success success) {
            return read(path, success.body(), inputs);
        }
        if (inputs.size() > 1 && response instanceof TargetResponse.Permanent refused
                && (refused.status() == 400 || refused.reason().contains(OBJECT_NOT_FOUND))) {
            return split(path, inputs);
        }
        Map<String, UpdateResult> results = new LinkedHashMap<>();
        for (Sent input : inputs) {
            results.put(input.key(), response instanceof TargetResponse.Permanent refused
                    && refused.reason().contains(OBJECT_NOT_FOUND)
                    ? new UpdateResult.NotFound(refused.reason()) : new UpdateResult.RequestFailed(response));
        }
        return results;
    }

    private Map<String, UpdateResult> split(String path, List<Sent> inputs) {
        Map<String, UpdateResult> results = new LinkedHashMap<>();
        int half = inputs.size() / 2;
        results.putAll(write(path, inputs.subList(0, half)));
        results.putAll(write(path, inputs.subList(half, inputs.size())));
        return results;
    }

    /**
     * The results and errors of a 200 or 207, per input. An error names its input by any value of its
     * {@code context} (the spec leaves the keys open: {@code objectWriteTraceId}, {@code ids}, {@code id},
     * {@code email}, ... are all seen) that equals the input's trace id or key; an error naming no input is
     * about the inputs HubSpot did not answer with a result.
     */
    private Map<String, UpdateResult> read(String path, String body, List<Sent> inputs) {
        Map<String, UpdateResult> results = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            TargetResponse unreadable = new TargetResponse.Transient(
                    "hubspot answered a batch with a body that is not JSON", Optional.empty());
            inputs.forEach(input -> results.put(input.key(), new UpdateResult.RequestFailed(unreadable)));
            return results;
        }
        JsonNode answered = root.path("results");
        for (JsonNode result : answered) {
            for (Sent input : inputs) {
                if (input.owns().test(result)) {
                    results.put(input.key(), new UpdateResult.Updated(input.needsResult()
                            ? result.path("id").asText() : input.key()));
                }
            }
        }
        if (results.isEmpty() && inputs.size() == 1 && answered.size() == 1 && answered.get(0).hasNonNull("id")) {
            // Some HubSpot responses omit the trace id: with a single input the result is unambiguous.
            results.put(inputs.get(0).key(), new UpdateResult.Updated(answered.get(0).get("id").asText()));
        }
        List<UpdateResult> unnamed = new ArrayList<>();
        for (JsonNode error : root.path("errors")) {
            UpdateResult failed = rejection(error);
            Set<String> names = namesIn(error);
            List<Sent> named = inputs.stream().filter(input -> input.names().stream()
                    .anyMatch(name -> names.contains(name.toLowerCase(Locale.ROOT)))).toList();
            if (named.isEmpty()) {
                unnamed.add(failed);
            }
            named.forEach(input -> results.put(input.key(), failed));
        }
        for (int i = root.path("errors").size(); i < root.path("numErrors").asInt(0); i++) {
            unnamed.add(new UpdateResult.RequestFailed(new TargetResponse.Transient(
                    "hubspot counted an error (numErrors) it did not describe", Optional.empty())));
        }
        List<Sent> open = inputs.stream().filter(input -> !results.containsKey(input.key())).toList();
        if (!unnamed.isEmpty() && open.size() == 1) {
            results.put(open.get(0).key(), unnamed.get(0));
        } else if (!unnamed.isEmpty() && open.size() > 1) {
            results.putAll(split(path, open));
        }
        for (Sent input : inputs) {
            results.putIfAbsent(input.key(), input.needsResult()
                    ? new UpdateResult.RequestFailed(new TargetResponse.Transient(
                            "hubspot answered a batch without a result or an error for this input", Optional.empty()))
                    : new UpdateResult.Updated(input.key())); // a 2xx whose errors are about others wrote it
        }
        return results;
    }

    /** Every value of an error's {@code context} and of its details' contexts, lower-cased. */
    private static Set<String> namesIn(JsonNode error) {
        Set<String> names = new HashSet<>();
        List<JsonNode> contexts = new ArrayList<>();
        contexts.add(error.path("context"));
        error.path("errors").forEach(detail -> contexts.add(detail.path("context")));
        for (JsonNode context : contexts) {
            context.forEach(values -> {
                if (values.isArray()) {
                    values.forEach(value -> names.add(value.asText().toLowerCase(Locale.ROOT)));
                } else if (values.isValueNode()) {
                    names.add(values.asText().toLowerCase(Locale.ROOT));
                }
            });
        }
        return names;
    }

    /**
     * A per-input error as a result: not found, or rejected with HubSpot's category. The reason carries its
     * codes only ({@code category}, {@code errors[].code}, {@code errors[].in}, {@code context.propertyName}):
     * its messages quote the values it refused.
     */
    private static UpdateResult rejection(JsonNode error) {
        String category = error.path("category").asText("ERROR");
        String codes = ErrorCodes.of(error);
        String reason = "hubspot rejected the input" + (codes.isEmpty() ? ": " + category : ": " + codes);
        return OBJECT_NOT_FOUND.equals(category) ? new UpdateResult.NotFound(reason)
                : new UpdateResult.Rejected(category, reason);
    }

    /**
     * {@code POST /crm/objects/2026-09/contacts/gdpr-delete} (204): permanently deletes the contact with this
     * e-mail and its content, as a GDPR deletion. HubSpot answers 204 also when no contact has the e-mail, and then
     * blocks the address from being used again.
     */
    public TargetResponse gdprDeleteContact(String email) {
        ObjectNode body = json.createObjectNode();
        body.put("objectId", email);
        body.put("idProperty", "email");
        return post("/crm/objects/" + API_VERSION + "/contacts/gdpr-delete", body);
    }

    private TargetResponse post(String path, ObjectNode body) {
        TargetResponse response = sendWithinLimit(path, body);
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 401
                && token.refreshAfterRejection()) {
            response = sendWithinLimit(path, body); // HubSpot counts the refused request too
        }
        if (response instanceof TargetResponse.Transient retry && retry.notBefore().isEmpty()
                && retry.reason().contains("TEN_SECONDLY_ROLLING")) {
            // HubSpot sends no Retry-After on its ten-second limit: the window frees within 10 s.
            return new TargetResponse.Transient(retry.reason(), Optional.of(clock.instant().plusSeconds(10)),
                    retry.answer());
        }
        return response;
    }

    /** Sends with a permit of the limit, or answers when one frees without sending. */
    private TargetResponse sendWithinLimit(String path, ObjectNode body) {
        Optional<Instant> busyUntil = limiter.acquire(LONGEST_WAIT_FOR_A_PERMIT);
        if (busyUntil.isPresent()) {
            return new TargetResponse.Transient("hubspot client-side rate limit reached (HUBSPOT_REQUESTS_PER_10S)",
                    busyUntil);
        }
        return send(path, body);
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
}
