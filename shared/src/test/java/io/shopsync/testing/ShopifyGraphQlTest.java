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

/** The GraphQL stand-in reads the query as Shopify does: unknown fields are errors, only selected fields come back. */
class ShopifyGraphQlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private WireMockServer shopify;

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(new ShopifyGraphQl()));
        shopify.start();
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withTransformers(ShopifyGraphQl.NAME)
                .withBody("{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/437290762312585471\","
                        + "\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true,"
                        + "\"variant\":{\"id\":\"gid://shopify/ProductVariant/41234567890123456\"},"
                        + "\"variants\":{\"nodes\":[{\"id\":\"gid://shopify/ProductVariant/41234567890123456\"}]}}}}")));
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
    void aFieldTheTypeDoesNotHave_isAnUndefinedFieldError_withNoData() throws Exception {
        JsonNode answer = ask("query InventoryItem($id: ID!) { inventoryItem(id: $id) { id skus variants(first: 1) { id } } }");

        assertThat(answer.has("data")).isFalse();
        assertThat(answer.path("errors")).extracting(e -> e.path("message").asText()).containsExactly(
                "Field 'skus' doesn't exist on type 'InventoryItem'",
                "Field 'id' doesn't exist on type 'ProductVariantConnection'");
        assertThat(answer.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("undefinedField");
    }

    @Test
    void onlyTheSelectedFieldsAreAnswered() throws Exception {
        JsonNode answer = ask("query InventoryItem($id: ID!) { inventoryItem(id: $id) { id tracked "
                + "variants(first: 1) { nodes { id } } } }");

        JsonNode item = answer.path("data").path("inventoryItem");
        assertThat(item.has("sku")).as("not asked for").isFalse();
        assertThat(item.has("variant")).isFalse();
        assertThat(item.path("tracked").asBoolean()).isTrue();
        assertThat(item.path("variants").path("nodes").get(0).path("id").asText())
                .isEqualTo("gid://shopify/ProductVariant/41234567890123456");
    }
}
