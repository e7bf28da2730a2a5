package io.shopsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.http.HttpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * What the targets would answer in a dry run, so each connector completes its whole conversation
 * (HubSpot's batch answers carry ids the association step needs) while nothing leaves the machine.
 * The shapes follow the APIs' documented success answers.
 */
final class DryRunResponders {

    private static final HttpHeaders JSON_HEADERS =
            HttpHeaders.of(Map.of("content-type", List.of("application/json")), (a, b) -> true);

    private DryRunResponders() {}

    static void register(Outbox outbox, ObjectMapper json) {
        outbox.respond("api.hubapi.com", request -> hubspot(request, json));
        outbox.respond("a.klaviyo.com", request -> klaviyo(request));
        outbox.respond("*.myshopify.com", request -> shopify(request, json));
        outbox.nameTarget(URI.create(LocalSettings.LOCAL_DEFAULTS.get("INVENTORY_WEBHOOK_URL")).getHost(), "webhook");
    }

    /**
     * A store's OAuth endpoint issuing a token, and its Admin GraphQL answering the SKU look-up for an item the SKU cache does not hold yet: a
     * tracked item whose SKU says it came from the dry run, so nobody mistakes it for real data.
     */
    private static HttpTransport.Answer shopify(HttpRequest request, ObjectMapper json) {
        if (request.uri().getPath().equals("/admin/oauth/access_token")) {
            // The client credentials grant of a Dev Dashboard app: a token that says it is not real.
            return new HttpTransport.Answer(200, JSON_HEADERS, "{\"access_token\":\"dry-run-admin-api-token\","
                    + "\"scope\":\"read_inventory,read_orders\",\"expires_in\":86399}");
        }
        try {
            String gid = json.readTree(Outbox.bodyOf(request)).path("variables").path("id").asText();
            ObjectNode answer = json.createObjectNode();
            ObjectNode item = answer.putObject("data").putObject("inventoryItem");
            item.put("sku", "DRY-RUN-SKU-" + gid.substring(gid.lastIndexOf('/') + 1));
            item.put("tracked", true);
            return new HttpTransport.Answer(200, JSON_HEADERS, json.writeValueAsString(answer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Batch upsert/update: one result per input, a stable id per key, the trace id echoed; others 200 {}. */
    private static HttpTransport.Answer hubspot(HttpRequest request, ObjectMapper json) {
        String path = request.uri().getPath();
        if (!path.endsWith("/batch/upsert") && !path.endsWith("/batch/update")) {
            return new HttpTransport.Answer(200, JSON_HEADERS, "{\"status\":\"COMPLETE\",\"results\":[]}");
        }
        try {
            JsonNode body = json.readTree(Outbox.bodyOf(request));
            ObjectNode answer = json.createObjectNode().put("status", "COMPLETE");
            ArrayNode results = answer.putArray("results");
            for (JsonNode input : body.path("inputs")) {
                ObjectNode result = results.addObject();
                result.put("id", Long.toString(1_000_000L + Math.abs((long) input.path("id").asText().hashCode())));
                result.put("new", false);
                result.put("archived", false);
                if (input.has("objectWriteTraceId")) {
                    result.put("objectWriteTraceId", input.get("objectWriteTraceId").asText());
                }
                result.set("properties", input.path("properties"));
            }
            answer.put("startedAt", "2026-11-27T00:00:00Z").put("completedAt", "2026-11-27T00:00:00Z");
            return new HttpTransport.Answer(200, JSON_HEADERS, json.writeValueAsString(answer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** profile-import answers 200 with a profile; events and bulk jobs 202 with no body. */
    private static HttpTransport.Answer klaviyo(HttpRequest request) {
        if (request.uri().getPath().endsWith("/profile-import")) {
            return new HttpTransport.Answer(200, JSON_HEADERS,
                    "{\"data\":{\"type\":\"profile\",\"id\":\"01DRYRUN000000000000000000\",\"attributes\":{}}}");
        }
        return new HttpTransport.Answer(202, JSON_HEADERS, "");
    }
}
