package io.shopsync.reconciler;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A shop's Admin GraphQL API as the reconciler meets it: the {@code orders} scan lists the orders it holds
 * (one page, with Shopify's pageInfo and cost extensions), and {@code order(id:)} answers each in full (the
 * order of events/payloads/orders-updated.json, under its own id and update time), or null for an unknown id.
 * Likewise the fulfilment scan ({@code FulfilmentVersions}: orders with their fulfilments' ids and update times)
 * and {@code fulfillment(id:)}.
 */
final class ShopifyOrdersStandIn implements AutoCloseable {

    static final String PATH = "/admin/api/2026-10/graphql.json";
    static final String TOKEN = "shpat_0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation()));
    private final Map<String, String> orders = new LinkedHashMap<>();
    /** Per order: its last update, and its fulfilments' ids and last updates. */
    private final Map<String, Map.Entry<String, Map<String, String>>> fulfilled = new LinkedHashMap<>();

    ShopifyOrdersStandIn() {
        server.start();
        // An id Shopify does not know: order(id:) answers null.
        server.stubFor(post(urlEqualTo(PATH)).atPriority(10).withRequestBody(containing("query Order("))
                .willReturn(aResponse().withStatus(200).withBody("{\"data\":{\"order\":null}}")));
        server.stubFor(post(urlEqualTo(PATH)).atPriority(10).withRequestBody(containing("query Fulfilment("))
                .willReturn(aResponse().withStatus(200).withBody("{\"data\":{\"fulfillment\":null}}")));
        answerScan();
        answerFulfilmentScan();
    }

    String baseUrl() {
        return server.baseUrl();
    }

    /** The shop holds this order, last updated at {@code updatedAt} (ISO-8601, as GraphQL writes it). */
    ShopifyOrdersStandIn order(String id, String updatedAt) {
        orders.put(id, updatedAt);
        ObjectNode answer = fullOrder();
        ObjectNode order = (ObjectNode) answer.path("data").path("order");
        order.put("legacyResourceId", id).put("updatedAt", updatedAt);
        server.stubFor(post(urlEqualTo(PATH)).atPriority(1).withRequestBody(containing("query Order("))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/Order/" + id)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(answer.toString())));
        answerScan();
        return this;
    }

    /**
     * The shop holds fulfilment {@code id} of order {@code orderId}, last updated at {@code updatedAt}, which
     * updated its order then too (the fulfilment of events/payloads/fulfillments-update.json, under these ids).
     */
    ShopifyOrdersStandIn fulfilment(String orderId, String id, String updatedAt) {
        Map.Entry<String, Map<String, String>> order = fulfilled.computeIfAbsent(orderId,
                key -> new java.util.AbstractMap.SimpleEntry<>(updatedAt, new LinkedHashMap<>()));
        order.getValue().put(id, updatedAt);
        if (updatedAt.compareTo(order.getKey()) > 0) {
            fulfilled.put(orderId, new java.util.AbstractMap.SimpleEntry<>(updatedAt, order.getValue()));
        }
        ObjectNode answer = resource("/shopify-admin/fulfillment-255858046011252993.json");
        ObjectNode fulfilment = (ObjectNode) answer.path("data").path("fulfillment");
        fulfilment.put("legacyResourceId", id).put("updatedAt", updatedAt);
        ((ObjectNode) fulfilment.path("order")).put("legacyResourceId", orderId);
        server.stubFor(post(urlEqualTo(PATH)).atPriority(1).withRequestBody(containing("query Fulfilment("))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/Fulfillment/" + id)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(answer.toString())));
        answerFulfilmentScan();
        return this;
    }

    /** How many times fulfilment {@code id} was read in full. */
    int fulfilmentReads(String id) {
        return server.countRequestsMatching(postRequestedFor(urlEqualTo(PATH)).withRequestBody(containing("query Fulfilment("))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/Fulfillment/" + id))).build()).getCount();
    }

    /** How many fulfilment scans were sent. */
    int fulfilmentScans() {
        return server.countRequestsMatching(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(containing("query FulfilmentVersions(")).build()).getCount();
    }

    private void answerFulfilmentScan() {
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode connection = answer.putObject("data").putObject("orders");
        connection.putObject("pageInfo").put("hasNextPage", false).put("endCursor", "eyJsYXN0X2lkIjo4MjA5ODI5MTE5NDYxNTQ1MDh9");
        ArrayNode nodes = connection.putArray("nodes");
        fulfilled.entrySet().stream().sorted(Map.Entry.comparingByValue(Map.Entry.comparingByKey())).forEach(order -> {
            ObjectNode node = nodes.addObject().put("legacyResourceId", order.getKey()).put("updatedAt", order.getValue().getKey());
            ArrayNode fulfilments = node.putArray("fulfillments");
            order.getValue().getValue().forEach((id, at) -> fulfilments.addObject().put("legacyResourceId", id).put("updatedAt", at));
        });
        answer.putObject("extensions").putObject("cost").put("requestedQueryCost", 552).put("actualQueryCost", 2 + nodes.size() * 2)
                .putObject("throttleStatus").put("maximumAvailable", 2000.0).put("currentlyAvailable", 1990)
                .put("restoreRate", 100.0);
        server.stubFor(post(urlEqualTo(PATH)).atPriority(1).withRequestBody(containing("query FulfilmentVersions("))
                .withHeader("X-Shopify-Access-Token", equalTo(TOKEN))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(answer.toString())));
    }

    /** How many times order {@code id} was read in full. */
    int fullReads(String id) {
        return server.countRequestsMatching(postRequestedFor(urlEqualTo(PATH)).withRequestBody(containing("query Order("))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/Order/" + id))).build()).getCount();
    }

    private void answerScan() {
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode connection = answer.putObject("data").putObject("orders");
        connection.putObject("pageInfo").put("hasNextPage", false).put("endCursor", "eyJsYXN0X2lkIjo4MjA5ODI5MTE5NDYxNTQ1MDh9");
        ArrayNode nodes = connection.putArray("nodes");
        orders.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(entry -> nodes.addObject().put("legacyResourceId", entry.getKey()).put("updatedAt", entry.getValue()));
        answer.putObject("extensions").putObject("cost").put("requestedQueryCost", 252).put("actualQueryCost", 2 + nodes.size())
                .putObject("throttleStatus").put("maximumAvailable", 2000.0).put("currentlyAvailable", 1998)
                .put("restoreRate", 100.0);
        server.stubFor(post(urlEqualTo(PATH)).atPriority(1).withRequestBody(containing("query OrderVersions("))
                .withHeader("X-Shopify-Access-Token", equalTo(TOKEN))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(answer.toString())));
    }

    private static ObjectNode fullOrder() {
        return resource("/shopify-admin/order-820982911946154508.json");
    }

    private static ObjectNode resource(String name) {
        try (InputStream in = ShopifyOrdersStandIn.class.getResourceAsStream(name)) {
            JsonNode node = JSON.readTree(in);
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
