package io.shopsync.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Shopify GraphQL stand-in refuses what Shopify would, so a test using it can fail on the query text. */
class ShopifyGraphqlValidationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private WireMockServer shopify;

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withBody("{\"data\":{\"inventoryItem\":{\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true}}}")));
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private JsonNode ask(String query) throws Exception {
        String body = JSON.createObjectNode().put("query", query).toString();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(shopify.baseUrl() + PATH))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void aQueryForTheDeprecatedVariantField_isDeniedForLackOfReadProducts() throws Exception {
        JsonNode answer = ask("query InventoryItem($id: ID!) { inventoryItem(id: $id) { id sku tracked variant { id } } }");

        assertThat(answer.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("ACCESS_DENIED");
        assertThat(answer.path("errors").get(0).path("message").asText()).contains("read_products");
        assertThat(answer.has("data")).isFalse();
    }

    /** REST's money scalars do not exist on GraphQL's Order: a look-up asking for one is refused. */
    @Test
    void anOrderQueryForAFieldOrderDoesNotHave_isRefused() throws Exception {
        JsonNode answer = ask("query Order($id: ID!) { order(id: $id) { legacyResourceId totalPrice updatedAt } }");

        assertThat(answer.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("undefinedField");
        assertThat(answer.path("errors").get(0).path("extensions").path("typeName").asText()).isEqualTo("Order");
        assertThat(answer.path("errors").get(0).path("message").asText()).contains("totalPrice");
    }

    @Test
    void aQueryForAFieldInventoryItemDoesNotHave_isRefusedAsShopifysValidationDoes() throws Exception {
        JsonNode answer = ask("query InventoryItem($id: ID!) { inventoryItem(id: $id) { sku tracked title } }");

        assertThat(answer.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("undefinedField");
        assertThat(answer.path("errors").get(0).path("message").asText())
                .isEqualTo("Field 'title' doesn't exist on type 'InventoryItem'");
    }

    @Test
    void aListOfInventoryItems_isCheckedOnItsNodesAndTheirLevels_notOnTheConnection() throws Exception {
        String list = "query Changed($q: String!) { inventoryItems(first: 10, query: $q) { pageInfo { hasNextPage"
                + " endCursor } nodes { id sku tracked l655441491: inventoryLevel(locationId:"
                + " \"gid://shopify/Location/655441491\") { updatedAt %s quantities(names: [\"available\"]) { name quantity } } } } }";

        JsonNode known = ask(list.formatted(""));
        JsonNode unknownOnLevel = ask(list.formatted("available"));
        JsonNode unknownOnItem = ask(list.replace("nodes { id sku", "nodes { id sku inventoryQuantity").formatted(""));

        assertThat(known.has("errors")).isFalse();
        assertThat(unknownOnLevel.path("errors").get(0).path("message").asText())
                .isEqualTo("Field 'available' doesn't exist on type 'InventoryLevel'");
        assertThat(unknownOnItem.path("errors").get(0).path("message").asText())
                .isEqualTo("Field 'inventoryQuantity' doesn't exist on type 'InventoryItem'");
    }

    @Test
    void aQueryForKnownFields_reachesTheStub() throws Exception {
        JsonNode answer = ask("query InventoryItem($id: ID!) { inventoryItem(id: $id) { sku tracked } }");

        assertThat(answer.path("data").path("inventoryItem").path("sku").asText()).isEqualTo("SS-MCS-OAT-M");
    }
}
