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
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shop's customers behind Shopify's Admin GraphQL API, as a customer import meets them: the {@code customers}
 * connection filtered by the search query's {@code updated_at} range, sorted by {@code UPDATED_AT}, paged with
 * cursors and Shopify's cost extensions, each node as the 2026-10 {@code Customer} answers the fields asked
 * (e-mail and phone under {@code defaultEmailAddress} / {@code defaultPhoneNumber}, {@code state} an enum).
 * {@link #throttleOffsets} answers a page THROTTLED once (HTTP 200, {@code errors[].extensions.code}, the bucket in
 * {@code extensions.cost}), {@link #failFromOffset} fails the pages from there on as Shopify does when it fails on
 * its side ({@code INTERNAL_SERVER_ERROR}). A query without {@code sortKey: UPDATED_AT} is refused: the scan's
 * resumption depends on that order.
 */
final class ShopifyCustomerHistory implements AutoCloseable {

    static final String PATH = "/admin/api/2026-10/graphql.json";
    static final String TOKEN = "shpat_0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("updated_at:>='([^']+)' updated_at:<'([^']+)'");

    /** Customer id to its updated_at. */
    final Map<String, Instant> customers = new ConcurrentHashMap<>();
    /** Pages at these positions are answered THROTTLED the first time they are asked for. */
    final Set<Integer> throttleOffsets = ConcurrentHashMap.newKeySet();
    /** Pages starting at this position or later fail; -1: none does. */
    volatile int failFromOffset = -1;

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation(), new Answer()));

    ShopifyCustomerHistory() {
        server.start();
        server.stubFor(post(urlEqualTo(PATH)).withHeader("X-Shopify-Access-Token", equalTo(TOKEN))
                .willReturn(aResponse().withTransformers("customer-history")));
    }

    String baseUrl() {
        return server.baseUrl();
    }

    int scanRequests() {
        return server.countRequestsMatching(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(containing("customers(")).build()).getCount();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** The customer as the Admin GraphQL API answers the import's fields. */
    static ObjectNode node(String id, Instant updatedAt, int i) {
        ObjectNode node = JSON.createObjectNode();
        node.put("legacyResourceId", id).put("firstName", "Zoë").put("lastName", "Adams " + i).put("state", "ENABLED")
                .putNull("note").put("verifiedEmail", true).put("taxExempt", false)
                .put("createdAt", "2024-03-14T09:26:53-04:00").put("updatedAt", updatedAt.toString());
        node.putObject("defaultEmailAddress").put("emailAddress", "zoe.adams+" + i + "@example.com");
        if (i % 2 == 0) {
            node.putObject("defaultPhoneNumber").put("phoneNumber", "+1613555" + String.format("%04d", i));
        } else {
            node.putNull("defaultPhoneNumber");
        }
        node.putObject("defaultAddress").put("firstName", "Zoë").put("lastName", "Adams " + i).put("name", "Zoë Adams " + i)
                .putNull("company").put("address1", "150 Elgin Street").put("address2", "Suite 800").put("city", "Ottawa")
                .put("province", "Ontario").put("provinceCode", "ON").put("country", "Canada").put("countryCodeV2", "CA")
                .put("zip", "K2P 1L4").putNull("phone");
        return node;
    }

    private final class Answer implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "customer-history";
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
                if (!query.contains("customers(") || !query.contains("sortKey: UPDATED_AT")) {
                    return json("{\"errors\":[{\"message\":\"this stand-in answers the customers connection sorted by"
                            + " UPDATED_AT\"}]}");
                }
                return page(request.path("variables"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private ResponseDefinition page(JsonNode variables) {
            Matcher range = RANGE.matcher(variables.path("query").asText());
            if (!range.find()) {
                return json("{\"errors\":[{\"message\":\"this stand-in expects an updated_at range\"}]}");
            }
            Instant from = Instant.parse(range.group(1));
            Instant to = Instant.parse(range.group(2));
            int first = variables.path("first").asInt();
            if (first > 250) {
                return json("{\"errors\":[{\"message\":\"The first argument must be at most 250.\"}]}");
            }
            int offset = variables.path("after").isTextual() ? Integer.parseInt(variables.path("after").asText().substring(7)) : 0;
            if (throttleOffsets.remove(offset)) {
                return json("{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\","
                        + "\"documentation\":\"https://shopify.dev/api/usage/rate-limits\"}}],\"extensions\":{\"cost\":"
                        + "{\"requestedQueryCost\":402,\"actualQueryCost\":null,\"throttleStatus\":{\"maximumAvailable\":2000.0,"
                        + "\"currentlyAvailable\":202,\"restoreRate\":100.0}}}}");
            }
            if (failFromOffset >= 0 && offset >= failFromOffset) {
                return json("{\"errors\":[{\"message\":\"Internal error. Looks like something went wrong on our end.\\n"
                        + "Request ID: 0f1b3c52-77aa-4c1f-9c9e-4e5b1a2d9f10 (include this in support requests).\","
                        + "\"extensions\":{\"code\":\"INTERNAL_SERVER_ERROR\","
                        + "\"requestId\":\"0f1b3c52-77aa-4c1f-9c9e-4e5b1a2d9f10\"}}]}");
            }
            List<Map.Entry<String, Instant>> matching = new ArrayList<>(customers.entrySet().stream()
                    .filter(e -> !e.getValue().isBefore(from) && e.getValue().isBefore(to))
                    .sorted(Comparator.comparing((Map.Entry<String, Instant> e) -> e.getValue())
                            .thenComparing(Map.Entry::getKey))
                    .toList());
            List<Map.Entry<String, Instant>> page = matching.subList(Math.min(offset, matching.size()),
                    Math.min(offset + first, matching.size()));
            ObjectNode answer = JSON.createObjectNode();
            ObjectNode connection = answer.putObject("data").putObject("customers");
            ArrayNode nodes = connection.putArray("nodes");
            for (Map.Entry<String, Instant> e : page) {
                nodes.add(node(e.getKey(), e.getValue(), Integer.parseInt(e.getKey().substring(e.getKey().length() - 4))));
            }
            connection.putObject("pageInfo").put("hasNextPage", offset + first < matching.size())
                    .put("endCursor", "cursor:" + (offset + page.size()));
            answer.putObject("extensions").putObject("cost").put("requestedQueryCost", 2 + 4 * first)
                    .put("actualQueryCost", 2 + 4 * page.size()).putObject("throttleStatus").put("maximumAvailable", 2000.0)
                    .put("currentlyAvailable", 1998 - 4 * page.size()).put("restoreRate", 100.0);
            return json(answer.toString());
        }

        private ResponseDefinition json(String body) {
            return ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody(body).build();
        }
    }
}
