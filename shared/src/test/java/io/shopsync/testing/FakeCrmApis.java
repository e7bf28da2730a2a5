package io.shopsync.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One local server answering as HubSpot's CRM API (batch upserts echo a stable id per key and the
 * input's trace id) and Klaviyo's API (profile-import 200, events 202) do, for flow tests.
 */
public final class FakeCrmApis implements AutoCloseable {

    public static final String HUBSPOT_CONTACTS = "/crm/objects/2026-09/contacts/batch/upsert";
    public static final String HUBSPOT_ORDERS = "/crm/objects/2026-09/orders/batch/upsert";
    public static final String HUBSPOT_ORDER_UPDATES = "/crm/objects/2026-09/orders/batch/update";
    public static final String HUBSPOT_ASSOCIATE = "/crm/associations/2026-09/orders/contacts/batch/associate/default";
    public static final String KLAVIYO_PROFILES = "/api/profile-import";
    public static final String KLAVIYO_EVENTS = "/api/events";
    public static final String KLAVIYO_BULK = "/api/event-bulk-create-jobs";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers a HubSpot batch upsert or update: one result per input, its trace id echoed, a stable id per key. */
    public static final class HubSpotBatchAnswers implements ResponseTransformerV2 {
        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            try {
                JsonNode request = JSON.readTree(serveEvent.getRequest().getBodyAsString());
                ObjectNode answer = JSON.createObjectNode().put("status", "COMPLETE");
                ArrayNode results = answer.putArray("results");
                for (JsonNode input : request.path("inputs")) {
                    ObjectNode result = results.addObject();
                    result.put("id", Long.toString(Math.abs((long) input.path("id").asText().hashCode()) + 1_000_000L));
                    result.put("new", true);
                    result.put("objectWriteTraceId", input.path("objectWriteTraceId").asText());
                    result.set("properties", input.path("properties"));
                }
                answer.put("startedAt", "2026-11-27T16:00:00.010Z").put("completedAt", "2026-11-27T16:00:00.140Z");
                return Response.Builder.like(response).but().body(JSON.writeValueAsString(answer)).build();
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

    public final WireMockServer server;

    public FakeCrmApis() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new HubSpotBatchAnswers()));
        server.start();
        server.stubFor(post(urlEqualTo(HUBSPOT_CONTACTS)).willReturn(aResponse().withStatus(200)
                .withTransformers("hubspot-batch-answers")));
        server.stubFor(post(urlEqualTo(HUBSPOT_ORDERS)).willReturn(aResponse().withStatus(200)
                .withTransformers("hubspot-batch-answers")));
        server.stubFor(post(urlEqualTo(HUBSPOT_ORDER_UPDATES)).willReturn(aResponse().withStatus(200)
                .withTransformers("hubspot-batch-answers")));
        server.stubFor(post(urlEqualTo(HUBSPOT_ASSOCIATE)).willReturn(aResponse().withStatus(200).withBody("{\"results\":[]}")));
        server.stubFor(post(urlEqualTo(KLAVIYO_PROFILES)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/vnd.api+json")
                .withBody("{\"data\":{\"type\":\"profile\",\"id\":\"01JD3Q8W0K2M5S7X9Y1Z3A5C7E\",\"attributes\":{}}}")));
        server.stubFor(post(urlEqualTo(KLAVIYO_EVENTS)).willReturn(aResponse().withStatus(202)));
        server.stubFor(post(urlEqualTo(KLAVIYO_BULK)).willReturn(aResponse().withStatus(202)));
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
