package io.shopsync.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shop's order history behind Shopify's Admin GraphQL API, as a backfill meets it: the {@code orders} connection
 * filtered by the search query's {@code updated_at} range, sorted by update, paged with cursors and Shopify's cost
 * extensions; {@code order(id:)} answering each order in full (the Admin API sample order under its own id and
 * update time). {@link #failFromOffset} makes the pages from that position on fail as Shopify does when it
 * fails on its side ({@code INTERNAL_SERVER_ERROR}, HTTP 200).
 */
final class ShopifyOrderHistory implements AutoCloseable {

    static final String PATH = "/admin/api/2026-10/graphql.json";
    static final String TOKEN = "shpat_0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("updated_at:>='([^']+)' updated_at:<'([^']+)'");

    /** Order id to its updated_at. */
    final Map<String, Instant> orders = new ConcurrentHashMap<>();
    /** Pages starting at this position or later fail; -1: none does. */
    volatile int failFromOffset = -1;
    /** How often each order was read in full. */
    final Map<String, AtomicInteger> fullReads = new ConcurrentHashMap<>();

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation(), new Answer()));

    ShopifyOrderHistory() {
        server.start();
        server.stubFor(post(urlEqualTo(PATH)).withHeader("X-Shopify-Access-Token", equalTo(TOKEN))
                .willReturn(aResponse().withTransformers("order-history")));
    }

    String baseUrl() {
        return server.baseUrl();
    }

    int scanRequests() {
        return server.countRequestsMatching(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(containing("query OrderVersions(")).build()).getCount();
    }

    private final class Answer implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "order-history";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            try {
                JsonNode request = JSON.readTree(event.getRequest().getBodyAsString());
                String query = request.path("query").asText();
                JsonNode variables = request.path("variables");
                if (query.contains("query OrderVersions(")) {
                    return versions(variables);
                }
                if (query.contains("query Order(")) {
                    return order(variables.path("id").asText());
                }
                return json("{\"errors\":[{\"message\":\"unexpected query in this stand-in\"}]}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private ResponseDefinition versions(JsonNode variables) {
            Matcher range = RANGE.matcher(variables.path("query").asText());
            if (!range.find()) {
                return json("{\"errors\":[{\"message\":\"this stand-in expects an updated_at range\"}]}");
            }
            Instant from = Instant.parse(range.group(1));
            Instant to = Instant.parse(range.group(2));
            int first = variables.path("first").asInt();
            int offset = variables.path("after").isTextual() ? Integer.parseInt(variables.path("after").asText().substring(7)) : 0;
            if (failFromOffset >= 0 && offset >= failFromOffset) {
                return json("{\"errors\":[{\"message\":\"Internal error. Looks like something went wrong on our end.\\n"
                        + "Request ID: 0f1b3c52-77aa-4c1f-9c9e-4e5b1a2d9f10 (include this in support requests).\","
                        + "\"extensions\":{\"code\":\"INTERNAL_SERVER_ERROR\","
                        + "\"requestId\":\"0f1b3c52-77aa-4c1f-9c9e-4e5b1a2d9f10\"}}]}");
            }
            List<Map.Entry<String, Instant>> matching = new ArrayList<>(orders.entrySet().stream()
                    .filter(e -> !e.getValue().isBefore(from) && e.getValue().isBefore(to))
                    .sorted(Comparator.comparing((Map.Entry<String, Instant> e) -> e.getValue())
                            .thenComparing(Map.Entry::getKey))
                    .toList());
            List<Map.Entry<String, Instant>> page = matching.subList(Math.min(offset, matching.size()),
                    Math.min(offset + first, matching.size()));
            ObjectNode answer = JSON.createObjectNode();
            ObjectNode connection = answer.putObject("data").putObject("orders");
            ArrayNode nodes = connection.putArray("nodes");
            page.forEach(e -> nodes.addObject().put("legacyResourceId", e.getKey()).put("updatedAt", e.getValue().toString()));
            connection.putObject("pageInfo").put("hasNextPage", offset + first < matching.size())
                    .put("endCursor", "cursor:" + (offset + page.size()));
            answer.putObject("extensions").putObject("cost").put("requestedQueryCost", 2 + first)
                    .put("actualQueryCost", 2 + page.size()).putObject("throttleStatus").put("maximumAvailable", 2000.0)
                    .put("currentlyAvailable", 1998 - page.size()).put("restoreRate", 100.0);
            return json(answer.toString());
        }

        private ResponseDefinition order(String gid) {
            String id = gid.substring(gid.lastIndexOf('/') + 1);
            Instant updatedAt = orders.get(id);
            if (updatedAt == null) {
                return json("{\"data\":{\"order\":null}}");
            }
            fullReads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            ObjectNode answer = sample();
            ((ObjectNode) answer.path("data").path("order")).put("legacyResourceId", id)
                    .put("updatedAt", updatedAt.toString());
            return json(answer.toString());
        }

        private ResponseDefinition json(String body) {
            return com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody(body).build();
        }
    }

    private static ObjectNode sample() {
        try (InputStream in = ShopifyOrderHistory.class.getResourceAsStream("/shopify-admin/order-820982911946154508.json")) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
