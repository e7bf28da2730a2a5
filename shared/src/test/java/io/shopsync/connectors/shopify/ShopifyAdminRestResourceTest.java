package io.shopsync.connectors.shopify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin.ResourceLookup;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.testkit.Fixtures;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read of a resource whose webhook arrived as its id only, against a stand-in answering as the REST Admin API does. */
class ShopifyAdminRestResourceTest {

    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String PATH = "/admin/api/2026-10/orders/820982911946154508.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private WireMockServer shopify;
    private ShopifyAdmin admin;

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        shopify.start();
        Clock clock = Clock.fixed(Instant.parse("2026-11-27T16:30:00Z"), ZoneOffset.UTC);
        admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                java.util.Set.of(), "2026-07", JSON, clock);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    @Test
    void restResource_shouldReturnTheOrderUnderItsRoot_exactDigits_inTheWebhooksApiVersion() throws Exception {
        String order = Fixtures.text("events/payloads/orders-paid.json").trim();
        shopify.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"order\":" + order + "}")));

        ResourceLookup lookup = admin.restResource(SHOP, "orders/820982911946154508.json", "order", "2026-10");

        assertThat(lookup).isInstanceOf(ResourceLookup.Found.class);
        String read = new String(((ResourceLookup.Found) lookup).json(), StandardCharsets.UTF_8);
        assertThat(read).isEqualTo(order);
        shopify.verify(getRequestedFor(urlEqualTo(PATH)).withHeader("X-Shopify-Access-Token", equalTo("shpat_0123456789abcdef")));
    }

    @Test
    void restResource_shouldKeepDecimalsAsShopifyWroteThem() {
        shopify.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withBody("{\"order\":{\"id\":820982911946154508,\"total_weight\":0,\"tax_lines\":[{\"rate\":0.10}]}}")));

        ResourceLookup lookup = admin.restResource(SHOP, "orders/820982911946154508.json", "order", "2026-10");

        assertThat(new String(((ResourceLookup.Found) lookup).json(), StandardCharsets.UTF_8)).contains("\"rate\":0.10");
    }

    @Test
    void restResource_shouldSayNotFound_on404_andRetryLater_on503() {
        shopify.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(404).withBody("{\"errors\":\"Not Found\"}")));
        assertThat(admin.restResource(SHOP, "orders/820982911946154508.json", "order", "2026-10"))
                .isInstanceOf(ResourceLookup.NotFound.class);

        shopify.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503)));
        ResourceLookup unavailable = admin.restResource(SHOP, "orders/820982911946154508.json", "order", "2026-10");
        assertThat(unavailable).isInstanceOf(ResourceLookup.Failed.class);
        assertThat(((ResourceLookup.Failed) unavailable).outcome()).isInstanceOf(DeliveryOutcome.RetryLater.class);
    }

    @Test
    void restResource_shouldFailPermanently_withWhatToDo_on403() {
        shopify.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(403)
                .withBody("{\"errors\":\"[API] This action requires merchant approval for read_orders scope.\"}")));

        ResourceLookup lookup = admin.restResource(SHOP, "orders/820982911946154508.json", "order", "2026-10");

        assertThat(((ResourceLookup.Failed) lookup).outcome()).isInstanceOfSatisfying(DeliveryOutcome.PermanentFailure.class,
                failure -> assertThat(failure.reason()).contains("grant the scopes"));
    }

    @Test
    void restResource_shouldUseTheConfiguredVersion_whenTheWebhooksIsMissingOrMalformed() {
        shopify.stubFor(get(urlEqualTo("/admin/api/2026-07/orders/820982911946154508.json")).willReturn(aResponse()
                .withStatus(200).withBody("{\"order\":{\"id\":820982911946154508}}")));

        assertThat(admin.restResource(SHOP, "orders/820982911946154508.json", "order", null))
                .isInstanceOf(ResourceLookup.Found.class);
        assertThat(admin.restResource(SHOP, "orders/820982911946154508.json", "order", "../../x"))
                .isInstanceOf(ResourceLookup.Found.class);
    }
}
