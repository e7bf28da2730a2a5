package io.shopsync.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One local server answering as HubSpot's CRM API (batch upserts echo a stable id per key and the
 * input's trace id) and Klaviyo's API (profile-import 200, events 202) do, for flow tests. Like the
 * real APIs it answers 401 to a request without the right credentials (HubSpot: {@code Authorization:
 * Bearer <token>}; Klaviyo: {@code Authorization: Klaviyo-API-Key <key>}, and 400 without a {@code revision}), and a
 * test can make it answer as they do when they fail: 429 with Retry-After, 5xx, and HubSpot's 207
 * with per-input errors.
 */
public final class FakeCrmApis implements AutoCloseable {

    public static final String HUBSPOT_CONTACTS = "/crm/objects/2026-09/contacts/batch/upsert";
    public static final String HUBSPOT_ORDERS = "/crm/objects/2026-09/orders/batch/upsert";
    public static final String HUBSPOT_ORDER_UPDATES = "/crm/objects/2026-09/orders/batch/update";
    public static final String HUBSPOT_ASSOCIATE = "/crm/associations/2026-09/orders/contacts/batch/associate/default";
    public static final String KLAVIYO_PROFILES = "/api/profile-import";
    public static final String KLAVIYO_EVENTS = "/api/events";
    public static final String KLAVIYO_BULK = "/api/event-bulk-create-jobs";
    public static final String HUBSPOT_SUBSCRIPTION_STATUSES = "/communication-preferences/2026-09/statuses/batch/write";
    public static final String KLAVIYO_SUBSCRIBE = "/api/profile-subscription-bulk-create-jobs";
    public static final String KLAVIYO_UNSUBSCRIBE = "/api/profile-subscription-bulk-delete-jobs";
    public static final String HUBSPOT_GDPR_DELETE = "/crm/objects/2026-09/contacts/gdpr-delete";
    public static final String KLAVIYO_DELETION_JOBS = "/api/data-privacy-deletion-jobs";
    /** The credentials the flow tests configure; a flow sending others is answered 401. */
    public static final String HUBSPOT_TOKEN = "pat-na1-test";
    public static final String KLAVIYO_API_KEY = "pk_test_0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** HubSpot's per-input error: its category and message. */
    public record InputError(String category, String message) {}

    /**
     * Answers a HubSpot batch upsert or update: one result per input, its trace id echoed, a stable id per key;
     * inputs whose {@code id} the test rejected get an error naming their trace id instead, in a 207.
     */
    public static final class HubSpotBatchAnswers implements ResponseTransformerV2 {
        final Map<String, InputError> rejected = new ConcurrentHashMap<>();

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            try {
                JsonNode request = JSON.readTree(serveEvent.getRequest().getBodyAsString());
                ObjectNode answer = JSON.createObjectNode().put("status", "COMPLETE");
                ArrayNode results = answer.putArray("results");
                ArrayNode errors = JSON.createArrayNode();
                for (JsonNode input : request.path("inputs")) {
                    InputError error = rejected.get(input.path("id").asText());
                    if (error != null) {
                        ObjectNode failed = errors.addObject().put("status", "error").put("category", error.category())
                                .put("message", error.message());
                        failed.putObject("context").putArray("objectWriteTraceId")
                                .add(input.path("objectWriteTraceId").asText());
                        failed.putObject("links");
                        continue;
                    }
                    ObjectNode result = results.addObject();
                    result.put("id", Long.toString(Math.abs((long) input.path("id").asText().hashCode()) + 1_000_000L));
                    result.put("new", true);
                    result.put("objectWriteTraceId", input.path("objectWriteTraceId").asText());
                    result.set("properties", input.path("properties"));
                }
                if (!errors.isEmpty()) {
                    answer.put("numErrors", errors.size()).set("errors", errors);
                }
                answer.put("startedAt", "2026-11-27T16:00:00.010Z").put("completedAt", "2026-11-27T16:00:00.140Z");
                return Response.Builder.like(response).but().status(errors.isEmpty() ? 200 : 207)
                        .body(JSON.writeValueAsString(answer)).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String getName() {
            return "hubspot-batch-answers";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }

    /**
     * Answers HubSpot's subscription status batch write as its spec (2026-09 BatchInputPublicStatusRequest) does:
     * one PublicStatus per input; an input without {@code subscriberIdString}, {@code subscriptionId},
     * {@code statusState} or with a channel other than EMAIL, or a legal basis outside the spec's enum, is refused
     * with 400 VALIDATION_ERROR, the whole batch.
     */
    public static final class HubSpotStatusAnswers implements ResponseTransformerV2 {
        private static final java.util.Set<String> LEGAL_BASES = java.util.Set.of("CONSENT_WITH_NOTICE",
                "LEGITIMATE_INTEREST_CLIENT", "LEGITIMATE_INTEREST_OTHER", "LEGITIMATE_INTEREST_PQL", "NON_GDPR",
                "PERFORMANCE_OF_CONTRACT", "PROCESS_AND_STORE");
        private static final java.util.Set<String> STATES = java.util.Set.of("NOT_SPECIFIED", "SUBSCRIBED", "UNSUBSCRIBED");

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            try {
                JsonNode request = JSON.readTree(serveEvent.getRequest().getBodyAsString());
                ObjectNode answer = JSON.createObjectNode().put("status", "COMPLETE");
                ArrayNode results = answer.putArray("results");
                for (JsonNode input : request.path("inputs")) {
                    if (!input.path("subscriberIdString").isTextual() || !input.path("subscriptionId").canConvertToInt()
                            || !STATES.contains(input.path("statusState").asText())
                            || !"EMAIL".equals(input.path("channel").asText())
                            || input.has("legalBasis") && !LEGAL_BASES.contains(input.path("legalBasis").asText())) {
                        return Response.Builder.like(response).but().status(400).body("""
                                {"status":"error","message":"Invalid input JSON on line 1","correlationId":\
                                "5e0c4f1a-2b3d-4c5e-8f9a-0b1c2d3e4f5a","category":"VALIDATION_ERROR"}""").build();
                    }
                    ObjectNode status = results.addObject();
                    status.put("subscriberIdString", input.path("subscriberIdString").asText());
                    status.put("subscriptionId", input.path("subscriptionId").asLong());
                    status.put("channel", "EMAIL");
                    status.put("status", input.path("statusState").asText());
                    status.put("source", "Public status API");
                    status.put("setStatusSuccessReason", "REQUESTED_CHANGE_OCCURRED");
                    status.put("timestamp", "2026-11-27T16:00:00.120Z");
                    if (input.has("legalBasis")) {
                        status.put("legalBasis", input.path("legalBasis").asText());
                        status.put("legalBasisExplanation", input.path("legalBasisExplanation").asText());
                    }
                }
                answer.put("startedAt", "2026-11-27T16:00:00.010Z").put("completedAt", "2026-11-27T16:00:00.140Z");
                return Response.Builder.like(response).but().status(200).body(JSON.writeValueAsString(answer)).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String getName() {
            return "hubspot-status-answers";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }

    /**
     * Answers Klaviyo's subscription jobs as its spec (revision 2026-07-15, SubscriptionCreateJobCreateQuery and
     * SubscriptionDeleteJobCreateQuery) and its documented rules do: 202 with no body; 400 {@code invalid} for a
     * wrong job type, a profile without {@code subscriptions}, a consent other than SUBSCRIBED / UNSUBSCRIBED, a
     * {@code consented_at} without {@code historical_import} or the reverse, or a list relationship without an id.
     */
    public static final class KlaviyoSubscriptionAnswers implements ResponseTransformerV2 {
        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            try {
                String path = serveEvent.getRequest().getUrl();
                boolean subscribe = path.equals(KLAVIYO_SUBSCRIBE);
                JsonNode data = JSON.readTree(serveEvent.getRequest().getBodyAsString()).path("data");
                String problem = null;
                if (!data.path("type").asText().equals(subscribe ? "profile-subscription-bulk-create-job"
                        : "profile-subscription-bulk-delete-job")) {
                    problem = "'type' is not a valid job type for this endpoint.";
                }
                boolean historical = data.path("attributes").path("historical_import").asBoolean(false);
                for (JsonNode profile : data.path("attributes").path("profiles").path("data")) {
                    JsonNode subscriptions = profile.path("attributes").path("subscriptions");
                    if (!"profile".equals(profile.path("type").asText()) || !subscriptions.isObject() || subscriptions.isEmpty()) {
                        problem = "'subscriptions' is a required field.";
                    }
                    for (JsonNode channel : subscriptions) {
                        JsonNode marketing = channel.path("marketing");
                        if (!marketing.path("consent").asText().equals(subscribe ? "SUBSCRIBED" : "UNSUBSCRIBED")) {
                            problem = "'consent' is not a valid choice.";
                        }
                        if (marketing.has("consented_at") != (subscribe && historical)) {
                            problem = historical ? "'consented_at' is required when 'historical_import' is true."
                                    : "'consented_at' can only be provided when 'historical_import' is true.";
                        }
                    }
                }
                if (data.path("attributes").path("profiles").path("data").isEmpty()) {
                    problem = "'profiles' is a required field.";
                }
                JsonNode list = data.path("relationships").path("list");
                if (!list.isMissingNode() && (!"list".equals(list.path("data").path("type").asText())
                        || list.path("data").path("id").asText().isEmpty())) {
                    problem = "'list' relationship requires a type and an id.";
                }
                if (problem != null) {
                    return Response.Builder.like(response).but().status(400)
                            .headers(new com.github.tomakehurst.wiremock.http.HttpHeaders(
                                    new com.github.tomakehurst.wiremock.http.HttpHeader("Content-Type", "application/vnd.api+json")))
                            .body("{\"errors\":[{\"id\":\"3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\",\"status\":400,"
                                    + "\"code\":\"invalid\",\"title\":\"Invalid input.\",\"detail\":\"" + problem
                                    + "\",\"source\":{\"pointer\":\"/data/\"},\"links\":{},\"meta\":{}}]}").build();
                }
                return Response.Builder.like(response).but().status(202).body("").build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String getName() {
            return "klaviyo-subscription-answers";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }

    public final WireMockServer server;
    private final HubSpotBatchAnswers batchAnswers = new HubSpotBatchAnswers();
    private final String hubspotAuthorization;
    private final String klaviyoAuthorization;

    /** Accepts the flow tests' credentials, {@link #HUBSPOT_TOKEN} and {@link #KLAVIYO_API_KEY}. */
    public FakeCrmApis() {
        this(HUBSPOT_TOKEN, KLAVIYO_API_KEY);
    }

    public FakeCrmApis(String hubspotToken, String klaviyoApiKey) {
        hubspotAuthorization = "Bearer " + hubspotToken;
        klaviyoAuthorization = "Klaviyo-API-Key " + klaviyoApiKey;
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(batchAnswers,
                new HubSpotStatusAnswers(), new KlaviyoSubscriptionAnswers()));
        server.start();
        // Anything without the right credentials: 401, as each API answers it.
        server.stubFor(post(urlMatching("/(crm|communication-preferences)/.*")).atPriority(10).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"status":"error","message":"Authentication credentials not found. This API supports OAuth 2.0 \
                        authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",\
                        "correlationId":"4a1f0d3e-9c2b-4e7a-8f61-2d5b7c9e0a13","category":"INVALID_AUTHENTICATION"}""")));
        server.stubFor(post(urlMatching("/api/.*")).atPriority(10).willReturn(klaviyoError(401, "not_authenticated",
                "Authentication credentials were not provided.", "Missing or invalid private key.")));
        // Klaviyo pins behaviour to a revision: a request without one is refused (400), never served as some default.
        server.stubFor(post(urlMatching("/api/.*")).atPriority(8).withHeader("Authorization", equalTo(klaviyoAuthorization))
                .withHeader("revision", absent()).willReturn(klaviyoError(400, "invalid", "Invalid input.",
                        "The revision header is required: send revision: YYYY-MM-DD.")));
        server.stubFor(hubspot(HUBSPOT_CONTACTS, 5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withTransformers("hubspot-batch-answers")));
        server.stubFor(hubspot(HUBSPOT_ORDERS, 5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withTransformers("hubspot-batch-answers")));
        server.stubFor(hubspot(HUBSPOT_ORDER_UPDATES, 5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withTransformers("hubspot-batch-answers")));
        server.stubFor(hubspot(HUBSPOT_ASSOCIATE, 5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"results\":[]}")));
        server.stubFor(klaviyo(KLAVIYO_PROFILES, 5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/vnd.api+json")
                .withBody("{\"data\":{\"type\":\"profile\",\"id\":\"01JD3Q8W0K2M5S7X9Y1Z3A5C7E\",\"attributes\":{}}}")));
        server.stubFor(klaviyo(KLAVIYO_EVENTS, 5).willReturn(aResponse().withStatus(202)));
        server.stubFor(klaviyo(KLAVIYO_BULK, 5).willReturn(aResponse().withStatus(202)));
        server.stubFor(hubspot(HUBSPOT_SUBSCRIPTION_STATUSES, 5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withTransformers("hubspot-status-answers")));
        server.stubFor(klaviyo(KLAVIYO_SUBSCRIBE, 5).willReturn(aResponse().withStatus(202)
                .withTransformers("klaviyo-subscription-answers")));
        server.stubFor(klaviyo(KLAVIYO_UNSUBSCRIBE, 5).willReturn(aResponse().withStatus(202)
                .withTransformers("klaviyo-subscription-answers")));
        // GDPR delete: 204 for an e-mail (also when no contact has it); a body without objectId, or an idProperty
        // other than email or hs_object_id, is a 400 VALIDATION_ERROR.
        server.stubFor(hubspot(HUBSPOT_GDPR_DELETE, 6).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"status":"error","message":"Invalid input JSON on line 1","correlationId":\
                        "0d6c1c55-3b1e-4f5e-9a57-1e2f3a4b5c6d","category":"VALIDATION_ERROR"}""")));
        server.stubFor(hubspot(HUBSPOT_GDPR_DELETE, 5)
                .withRequestBody(matchingJsonPath("$.objectId"))
                .withRequestBody(matchingJsonPath("$[?(@.idProperty == 'email' || @.idProperty == 'hs_object_id')]"))
                .willReturn(aResponse().withStatus(204)));
        // Deletion jobs: 202 for a data-privacy-deletion-job naming exactly one identifier; Klaviyo answers 400
        // to anything else ("If multiple identifiers are provided, we will return an error").
        server.stubFor(klaviyo(KLAVIYO_DELETION_JOBS, 6).willReturn(klaviyoError(400, "invalid", "Invalid input.",
                "Exactly one of email, phone_number or id must be provided.")));
        for (String[] both : new String[][] {{"email", "phone_number"}, {"email", "id"}, {"phone_number", "id"}}) {
            server.stubFor(klaviyo(KLAVIYO_DELETION_JOBS, 4)
                    .withRequestBody(matchingJsonPath("$.data.attributes.profile.data.attributes." + both[0]))
                    .withRequestBody(matchingJsonPath("$.data.attributes.profile.data.attributes." + both[1]))
                    .willReturn(klaviyoError(400, "invalid", "Invalid input.",
                            "Exactly one of email, phone_number or id must be provided.")));
        }
        server.stubFor(klaviyo(KLAVIYO_DELETION_JOBS, 5)
                .withRequestBody(matchingJsonPath("$.data[?(@.type == 'data-privacy-deletion-job')]"))
                .withRequestBody(matchingJsonPath("$.data.attributes.profile.data[?(@.type == 'profile')]"))
                .willReturn(aResponse().withStatus(202)));
    }

    private static boolean isHubSpot(String path) {
        return !path.startsWith("/api/");
    }

    private MappingBuilder hubspot(String path, int priority) {
        return post(urlEqualTo(path)).atPriority(priority).withHeader("Authorization", equalTo(hubspotAuthorization));
    }

    private MappingBuilder klaviyo(String path, int priority) {
        return post(urlEqualTo(path)).atPriority(priority).withHeader("Authorization", equalTo(klaviyoAuthorization))
                .withHeader("revision", matching("\\d{4}-\\d{2}-\\d{2}(\\.pre)?"));
    }

    /**
     * The next {@code times} authenticated requests to {@code path} (a HubSpot or Klaviyo path above)
     * get {@code answer}; then it answers as usual again.
     */
    public FakeCrmApis answerNext(String path, int times, ResponseDefinitionBuilder answer) {
        String scenario = path + "#" + UUID.randomUUID();
        for (int i = 0; i < times; i++) {
            MappingBuilder request = isHubSpot(path) ? hubspot(path, 1) : klaviyo(path, 1);
            server.stubFor(request.inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answered " + i)
                    .willSetStateTo("answered " + (i + 1)).willReturn(answer));
        }
        return this;
    }

    /** Every later authenticated request to {@code path} gets {@code answer}. */
    public FakeCrmApis answerAlways(String path, ResponseDefinitionBuilder answer) {
        server.stubFor((isHubSpot(path) ? hubspot(path, 1) : klaviyo(path, 1)).willReturn(answer));
        return this;
    }

    /** HubSpot batch upserts answer the input with this {@code id} (an e-mail, an order's Shopify id) with an error, in a 207. */
    public FakeCrmApis rejectHubSpotInput(String id, String category, String message) {
        batchAnswers.rejected.put(id, new InputError(category, message));
        return this;
    }

    /** HubSpot's 429 for its ten-second rolling limit, with a Retry-After when {@code retryAfterSeconds} is not null. */
    public static ResponseDefinitionBuilder hubspotRateLimited(Integer retryAfterSeconds) {
        ResponseDefinitionBuilder answer = aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                .withBody("""
                        {"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT",\
                        "correlationId":"c0ffee00-1234-4abc-9def-0123456789ab","policyName":"TEN_SECONDLY_ROLLING",\
                        "groupName":"publicapi:private-app:123456"}""");
        return retryAfterSeconds == null ? answer : answer.withHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    /** HubSpot's answer when it fails itself (502, 503, 504). */
    public static ResponseDefinitionBuilder hubspotServerError(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody("""
                {"status":"error","message":"internal error","correlationId":"7d2c4b1a-0e9f-4c3d-8a6b-5f1e2d3c4b5a",\
                "category":"INTERNAL_ERROR"}""");
    }

    /** Klaviyo's 429, with the Retry-After (seconds) it sends on throttled requests. */
    public static ResponseDefinitionBuilder klaviyoThrottled(int retryAfterSeconds) {
        return klaviyoError(429, "throttled", "Request was throttled.",
                "Request was throttled. Expected available in " + retryAfterSeconds + " second.")
                .withHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    /** A Klaviyo JSON:API error answer. */
    public static ResponseDefinitionBuilder klaviyoError(int status, String code, String title, String detail) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/vnd.api+json").withBody(
                "{\"errors\":[{\"id\":\"8c8f4aea-7289-4a13-b697-5dd5dde38f1e\",\"status\":" + status + ",\"code\":\""
                        + code + "\",\"title\":\"" + title + "\",\"detail\":\"" + detail
                        + "\",\"source\":{\"pointer\":\"/data/\"},\"links\":{},\"meta\":{}}]}");
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /** The JSON bodies posted to {@code path}, in order. */
    public List<JsonNode> bodies(String path) {
        List<JsonNode> bodies = new ArrayList<>();
        for (var request : server.findAll(postRequestedFor(urlEqualTo(path)))) {
            try {
                bodies.add(JSON.readTree(request.getBodyAsString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bodies;
    }

    @Override
    public void close() {
        server.stop();
    }
}
