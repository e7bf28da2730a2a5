package io.shopsync.connectors.shopify;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one throttle rule of every Admin GraphQL caller: a flow's look-up (retry later, not before) and a job
 * that waits in process (the CLI, the reconciler) wait the same time for the same THROTTLED answer.
 */
class AdminGraphqlTest {

    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private WireMockServer shopify;
    private ShopifyAdmin admin;

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        shopify.start();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(10), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, JSON, clock);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    /** THROTTLED without a throttleStatus (Shopify's answer lacks it at times): 50 points/s assumed, for both. */
    @Test
    void throttledWithoutAThrottleStatus_shouldWaitTheSameRefill_forALookUpAndForAWaitingJob() {
        String throttled = """
                {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
                 "extensions":{"cost":{"requestedQueryCost":202,"actualQueryCost":null}}}""";
        shopify.stubFor(post(urlEqualTo(PATH)).inScenario("t").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(throttled)).willSetStateTo("lookup-done"));
        shopify.stubFor(post(urlEqualTo(PATH)).inScenario("t").whenScenarioStateIs("lookup-done")
                .willReturn(okJson(throttled)).willSetStateTo("refilled"));
        shopify.stubFor(post(urlEqualTo(PATH)).inScenario("t").whenScenarioStateIs("refilled")
                .willReturn(okJson("{\"data\":{\"shop\":{\"name\":\"Shopsync Demo\"}}}")));
        List<Duration> waits = new ArrayList<>();

        ShopifyAdmin.ItemLookup lookup = admin.inventoryItem(SHOP, "437290762312585471");
        AdminGraphql.Answer answer = admin.graphql().run(SHOP, "query { shop { name } }", JSON.createObjectNode(),
                "reading the shop's name", (wait, why, attempt) -> waits.add(wait));

        DeliveryOutcome.RetryLater retry = (DeliveryOutcome.RetryLater) ((ShopifyAdmin.ItemLookup.Failed) lookup).outcome();
        assertThat(retry.notBefore()).contains(NOW.plusMillis(4040));
        assertThat(waits).containsExactly(Duration.ofMillis(4040));
        assertThat(answer).isInstanceOfSatisfying(AdminGraphql.Answer.Data.class,
                data -> assertThat(data.data().path("shop").path("name").asText()).isEqualTo("Shopsync Demo"));
    }

    @Test
    void refill_shouldWaitForTheMissingPointsAtTheReportedRate_andAtLeastASecond() {
        assertThat(AdminGraphql.refill(cost(502, 2, 100))).isEqualTo(Duration.ofSeconds(5));
        assertThat(AdminGraphql.refill(cost(752, 666, 50))).isEqualTo(Duration.ofMillis(1720));
        assertThat(AdminGraphql.refill(cost(10, 1990, 100))).isEqualTo(Duration.ofSeconds(1));
        assertThat(AdminGraphql.refill(JSON.createObjectNode())).isEqualTo(Duration.ofSeconds(1));
    }

    private static com.fasterxml.jackson.databind.JsonNode cost(int requested, int available, int rate) {
        com.fasterxml.jackson.databind.node.ObjectNode cost = JSON.createObjectNode().put("requestedQueryCost", requested);
        cost.putObject("throttleStatus").put("maximumAvailable", 2000.0).put("currentlyAvailable", available)
                .put("restoreRate", (double) rate);
        return cost;
    }
}
