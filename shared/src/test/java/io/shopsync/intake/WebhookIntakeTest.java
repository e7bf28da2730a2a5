package io.shopsync.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.ShopifyRequests;
import io.shopsync.testkit.Fixtures;
import io.shopsync.webhook.SecretsUnavailableException;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import io.shopsync.webhook.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookIntakeTest {

    private static final Flow ORDERS = Flow.named("order-to-crm")
            .accepts(EntityKeys.byId("order", "id"), "orders/create", "orders/paid")
            .accepts(EntityKeys.byId("order", "order_id"), "refunds/create");
    private static final String ORDER = """
            {"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508",\
            "name":"#1001","email":"Zoe.Adams@Example.com","updated_at":"2026-11-27T10:15:46-05:00",\
            "customer":null,"line_items":[{"id":866550311766439020,"sku":"TEE-BLK-M","quantity":1}]}""";
    private static final Instant NOW = Instant.parse("2026-11-27T15:15:48.123Z");

    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final CapturedLines log = new CapturedLines();
    private final ObjectMapper json = new ObjectMapper();

    private WebhookIntake intake(SigningSecretsSource secrets, Set<String> allowedShops, RecordingFlowQueues q) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new WebhookIntake(ORDERS, new WebhookVerifier(secrets), allowedShops, q, json,
                new Telemetry(json, log, clock), clock);
    }

    private WebhookIntake intake() {
        return intake(SigningSecretsSource.fixed(SigningSecrets.parse(ShopifyRequests.SECRET, "test")), Set.of(), queues);
    }

    @Test
    void handle_shouldEnqueueOneEnvelope_andAnswer200_forAnAuthenticAcceptedWebhook() {
        ShopifyRequests request = ShopifyRequests.webhook("orders/create", ORDER);

        IntakeOutcome outcome = intake().handle(request.build());

        assertThat(outcome.response().statusCode()).isEqualTo(200);
        assertThat(queues.enqueued).hasSize(1);
        assertThat(queues.deadLettered).isEmpty();
        Envelope envelope = queues.enqueued.get(0);
        assertThat(envelope.flow()).isEqualTo("order-to-crm");
        assertThat(envelope.topic()).isEqualTo("orders/create");
        assertThat(envelope.shop()).isEqualTo("shopsync-demo.myshopify.com");
        assertThat(envelope.webhookId()).isEqualTo(request.webhookId());
        assertThat(envelope.eventId()).isNotBlank();
        assertThat(envelope.apiVersion()).isEqualTo("2026-10");
        assertThat(envelope.triggeredAt()).isEqualTo(Instant.parse("2026-11-27T10:15:47.234647458Z"));
        assertThat(envelope.receivedAt()).isEqualTo(NOW);
        assertThat(envelope.entity()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(((Body.Inline) envelope.body()).bytes()).isEqualTo(ORDER.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void handle_shouldFindARefundsEntity_byItsOrderId() {
        String refund = "{\"id\":929361462,\"order_id\":820982911946154508,\"refund_line_items\":[]}";

        intake().handle(ShopifyRequests.webhook("refunds/create", refund).build());

        assertThat(queues.enqueued).singleElement()
                .extracting(Envelope::entity).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
    }

    @Test
    void handle_shouldAnswer401WithoutDetails_andStoreNothing_forATamperedBody() {
        IntakeOutcome outcome = intake().handle(ShopifyRequests.webhook("orders/create", ORDER)
                .tamperedTo(ORDER.replace("Zoe.Adams", "attacker")));

        assertThat(outcome).isInstanceOf(IntakeOutcome.Unauthenticated.class);
        assertThat(outcome.response().statusCode()).isEqualTo(401);
        assertThat(outcome.response().body()).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        JsonNode line = log.last();
        assertThat(line.path("outcome").asText()).isEqualTo("unauthenticated");
        assertThat(line.path("reason").asText()).isEqualTo("signature-mismatch");
        assertThat(line.path("WebhooksUnauthenticated").asInt()).isEqualTo(1);
    }

    @Test
    void handle_shouldAnswer401_forAMissingSignature_andForAWrongSecret() {
        assertThat(intake().handle(ShopifyRequests.webhook("orders/create", ORDER).unsigned().build()).response()
                .statusCode()).isEqualTo(401);
        assertThat(intake().handle(ShopifyRequests.webhook("orders/create", ORDER).signedWith("other").build())
                .response().statusCode()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void handle_shouldAnswer401_forAShopNotOnTheAllowList_evenWithAValidSignature() {
        WebhookIntake restricted = intake(SigningSecretsSource.fixed(SigningSecrets.parse(ShopifyRequests.SECRET, "t")),
                Set.of("other-store.myshopify.com"), queues);

        IntakeOutcome outcome = restricted.handle(ShopifyRequests.webhook("orders/create", ORDER).build());

        assertThat(outcome.response().statusCode()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void handle_shouldAcceptAShopsOwnSigningKey_forWebhooksCreatedInTheStoreAdmin() {
        String adminKey = "1f2e3d4c5b6a79880f1e2d3c4b5a69788f9e0d1c2b3a49586f7e8d9c0b1a2938";
        SigningSecrets secrets = SigningSecrets.of(List.of("app-secret"),
                Map.of(ShopifyRequests.SHOP, adminKey));

        IntakeOutcome outcome = intake(SigningSecretsSource.fixed(secrets), Set.of(), queues)
                .handle(ShopifyRequests.webhook("orders/create", ORDER).signedWith(adminKey).build());

        assertThat(outcome).isInstanceOf(IntakeOutcome.Enqueued.class);
    }

    @Test
    void handle_shouldDeadLetterAndAnswer200_forATopicTheFlowDoesNotTake() {
        IntakeOutcome outcome = intake().handle(ShopifyRequests.webhook("products/update", "{\"id\":632910392}").build());

        assertThat(outcome.response().statusCode()).isEqualTo(200);
        assertThat(queues.enqueued).isEmpty();
        RecordingFlowQueues.DeadLettered dead = queues.deadLettered.get(0);
        assertThat(dead.reason().stage()).isEqualTo("intake");
        assertThat(dead.reason().reason()).contains("topic products/update is not handled by flow order-to-crm")
                .contains("orders/create");
        assertThat(((Body.Inline) dead.envelope().body()).bytes())
                .isEqualTo("{\"id\":632910392}".getBytes(StandardCharsets.UTF_8));
        assertThat(log.last().path("DeadLettered").asInt()).isEqualTo(1);
    }

    @Test
    void handle_shouldDeadLetterAndAnswer200_forInvalidJsonOrMissingIds() {
        WebhookIntake intake = intake();

        intake.handle(ShopifyRequests.webhook("orders/create", "{\"id\":820982911946154508,").build());
        intake.handle(ShopifyRequests.webhook("orders/create", "[]").build());
        intake.handle(ShopifyRequests.webhook("orders/create", "{\"name\":\"#1001\"}").build());
        intake.handle(ShopifyRequests.webhook("orders/paid", "{\"id\":8.20982911946154508E17}").build());

        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).extracting(d -> d.reason().reason()).containsExactly(
                "body is not valid JSON (JsonParseException)",
                "body is not a JSON object",
                "payload has no id",
                "id is not a positive integer id: 8.209829119461545E17");
    }

    /** U+FFFE and U+FFFF are valid UTF-8 that Shopify passes on from a pasted note; SQS refuses both as text. */
    private static final String ORDER_WITH_NONCHARACTERS = ORDER.replace("\"name\":\"#1001\"",
            "\"name\":\"#1001\",\"note\":\"gift wrap \uFFFE\uFFFF please \uD83C\uDF81\"");

    @Test
    void handle_shouldEnqueueTheExactBytes_andAnswer200_whenTheBodyHoldsCharactersSqsRefusesAsText() {
        IntakeOutcome outcome = intake().handle(ShopifyRequests.webhook("orders/create", ORDER_WITH_NONCHARACTERS).build());

        assertThat(outcome.response().statusCode()).isEqualTo(200);
        assertThat(queues.enqueued).singleElement().satisfies(envelope -> assertThat(((Body.Inline) envelope.body()).bytes())
                .isEqualTo(ORDER_WITH_NONCHARACTERS.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void handle_shouldDeadLetterTheExactBytes_andAnswer200_whenAnUnprocessableBodyHoldsCharactersSqsRefuses() {
        String truncated = ORDER_WITH_NONCHARACTERS.substring(0, ORDER_WITH_NONCHARACTERS.indexOf("please"));

        IntakeOutcome outcome = intake().handle(ShopifyRequests.webhook("orders/create", truncated).build());

        assertThat(outcome.response().statusCode()).isEqualTo(200);
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().reason()).isEqualTo("body is not valid JSON (JsonEOFException)");
            assertThat(((Body.Inline) dead.envelope().body()).bytes()).isEqualTo(truncated.getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void handle_shouldDeadLetter_whenTheTopicHeaderIsMissing() {
        IntakeOutcome outcome = intake().handle(ShopifyRequests.webhook("orders/create", ORDER)
                .header("x-shopify-topic", null).build());

        assertThat(outcome).isInstanceOf(IntakeOutcome.DeadLettered.class);
        assertThat(((IntakeOutcome.DeadLettered) outcome).reason()).contains("no X-Shopify-Topic header");
    }

    @Test
    void handle_shouldAnswer503_andNever200_whenTheQueueIsUnavailable() {
        RecordingFlowQueues down = new RecordingFlowQueues().failing();
        WebhookIntake intake = intake(SigningSecretsSource.fixed(SigningSecrets.parse(ShopifyRequests.SECRET, "t")),
                Set.of(), down);

        IntakeOutcome accepted = intake.handle(ShopifyRequests.webhook("orders/create", ORDER).build());
        IntakeOutcome unprocessable = intake.handle(ShopifyRequests.webhook("products/update", "{}").build());

        assertThat(accepted.response().statusCode()).isEqualTo(503);
        assertThat(unprocessable.response().statusCode()).isEqualTo(503);
        assertThat(log.last().path("outcome").asText()).isEqualTo("failed");
        assertThat(log.last().path("IntakeFailures").asInt()).isEqualTo(1);
    }

    @Test
    void handle_shouldAnswer503_whenTheSigningSecretsCannotBeLoaded() {
        WebhookIntake intake = intake(() -> {
            throw new SecretsUnavailableException("cannot read Secrets Manager secret shopsync/x", null);
        }, Set.of(), queues);

        IntakeOutcome outcome = intake.handle(ShopifyRequests.webhook("orders/create", ORDER).build());

        assertThat(outcome.response().statusCode()).isEqualTo(503);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void handle_shouldWriteOneEmfLine_withIdsAndLatency_butNoSecretOrPayload() {
        intake().handle(ShopifyRequests.webhook("orders/create", ORDER).build());

        assertThat(log.raw).hasSize(1);
        JsonNode line = log.last();
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(directive.path("Namespace").asText()).isEqualTo("Shopsync");
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"flow\"]]");
        assertThat(directive.path("Metrics").findValuesAsText("Name"))
                .containsExactly("WebhooksReceived", "WebhooksEnqueued", "IntakeLatency");
        assertThat(line.path("flow").asText()).isEqualTo("order-to-crm");
        assertThat(line.path("outcome").asText()).isEqualTo("enqueued");
        assertThat(line.path("topic").asText()).isEqualTo("orders/create");
        assertThat(line.path("webhookId").asText()).isNotBlank();
        assertThat(line.path("IntakeLatency").isNumber()).isTrue();
        assertThat(log.raw.get(0)).doesNotContain(ShopifyRequests.SECRET).doesNotContain("Zoe.Adams")
                .doesNotContain("TEE-BLK-M");
    }

    /** The shop header is not signed: an authentic body may arrive under any shop string an attacker picks. */
    @ParameterizedTest
    @ValueSource(strings = {"attacker.example:8443/steal?x=", "attacker.example", "shopsync-demo.myshopify.com:8443",
            "shopsync-demo.myshopify.com/admin", "user@shopsync-demo.myshopify.com", "shopsync-demo.myshopify.com.",
            "shopsync-demo.myshopify.com.attacker.example", "attacker.example#.myshopify.com", ".myshopify.com",
            "a.b.myshopify.com", "-shop.myshopify.com", "shop_1.myshopify.com", "https://shopsync-demo.myshopify.com",
            "shopsync-demo.myshopify.com?x=1", "shopsync demo.myshopify.com", "myshopify.com"})
    void handle_shouldAnswer401AndStoreNothing_forAnAuthenticBodyUnderAShopHeaderThatIsNotABareShopDomain(String shop) {
        IntakeOutcome outcome = intake().handle(ShopifyRequests.webhook("orders/create", ORDER)
                .header("x-shopify-shop-domain", shop).build());

        assertThat(outcome.response().statusCode()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        JsonNode line = log.last();
        assertThat(line.path("reason").asText()).isEqualTo("shop-domain-malformed");
        assertThat(line.path("WebhooksUnauthenticated").asInt()).isEqualTo(1);
    }

    @Test
    void handle_shouldLowerCaseTheShopDomain_soOneShopHasOneEntityAndOneAllowListEntry() {
        WebhookIntake restricted = intake(SigningSecretsSource.fixed(SigningSecrets.parse(ShopifyRequests.SECRET, "t")),
                Set.of(ShopifyRequests.SHOP), queues);

        IntakeOutcome outcome = restricted.handle(ShopifyRequests.webhook("orders/create", ORDER)
                .header("x-shopify-shop-domain", "ShopSync-Demo.MyShopify.COM").build());

        assertThat(outcome).isInstanceOf(IntakeOutcome.Enqueued.class);
        assertThat(queues.enqueued).singleElement().satisfies(envelope -> {
            assertThat(envelope.shop()).isEqualTo(ShopifyRequests.SHOP);
            assertThat(envelope.entity()).startsWith(ShopifyRequests.SHOP + "/");
        });
    }

    @Test
    void handle_shouldLogAtMostAHundredCharactersOfEachHeader_soA401FloodCannotFillTheLogs() {
        String flood = "x".repeat(10_000);
        intake().handle(ShopifyRequests.webhook("orders/create", ORDER).header("x-shopify-shop-domain", flood)
                .header("x-shopify-topic", flood).header("x-shopify-webhook-id", flood)
                .header("x-shopify-event-id", flood).build());

        JsonNode line = log.last();
        assertThat(line.path("outcome").asText()).isEqualTo("unauthenticated");
        for (String field : List.of("shop", "topic", "webhookId", "eventId")) {
            assertThat(line.path(field).asText()).as(field).startsWith("x".repeat(100))
                    .endsWith("...[9900 more characters]").hasSize(100 + "...[9900 more characters]".length());
        }
        assertThat(log.raw.get(0).length()).isLessThan(2_000);
    }

    /*
     * A webhook refused at intake leaves no delivery record: its log line is all there is, so it names the entity
     * (shop/kind/id, no personal data) whenever the body lets intake tell it, for the trace to find it.
     */

    @Test
    void handle_shouldLogTheEntity_ofAWebhookRefused401_forATamperedBody_soTheTraceCanFindIt() {
        intake().handle(ShopifyRequests.webhook("orders/create", ORDER).tamperedTo(ORDER.replace("#1001", "#1002")));

        JsonNode line = log.last();
        assertThat(line.path("outcome").asText()).isEqualTo("unauthenticated");
        assertThat(line.path("entity").asText()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(log.raw.get(0)).doesNotContain("Zoe.Adams").doesNotContain("#100");
    }

    @Test
    void handle_shouldLogTheEntity_ofAWebhookFromAShopNotOnTheAllowList() {
        WebhookIntake restricted = intake(SigningSecretsSource.fixed(SigningSecrets.parse(ShopifyRequests.SECRET, "t")),
                Set.of("other-store.myshopify.com"), queues);

        restricted.handle(ShopifyRequests.webhook("orders/create", ORDER).build());

        assertThat(log.last().path("reason").asText()).isEqualTo("shop not on SHOPIFY_ALLOWED_SHOPS");
        assertThat(log.last().path("entity").asText()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
    }

    @Test
    void handle_shouldLogTheEntity_ofAWebhookAnswered503_whenTheQueueIsUnavailable() {
        WebhookIntake intake = intake(SigningSecretsSource.fixed(SigningSecrets.parse(ShopifyRequests.SECRET, "t")),
                Set.of(), new RecordingFlowQueues().failing());

        intake.handle(ShopifyRequests.webhook("orders/create", ORDER).build());

        assertThat(log.last().path("outcome").asText()).isEqualTo("failed");
        assertThat(log.last().path("entity").asText()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
    }

    @Test
    void handle_shouldLogTheEntity_aMisroutedTopicHasInTheFlowThatTakesIt() {
        // Shopify's fulfillments/create sample, subscribed to the order flow's route by mistake.
        String fulfilment = Fixtures.text("events/payloads/fulfillments-create.json");

        intake().handle(ShopifyRequests.webhook("fulfillments/create", fulfilment).build());

        JsonNode line = log.last();
        assertThat(line.path("outcome").asText()).isEqualTo("dead-lettered");
        assertThat(line.path("reason").asText()).contains("topic fulfillments/create is not handled by flow order-to-crm");
        assertThat(line.path("entity").asText()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(log.raw.get(0)).doesNotContain("Zoe.Adams").doesNotContain("Delaware");
    }

    @Test
    void handle_shouldNameTheEntity_onTheDeadLetterOfAMisroutedTopic_soTheTraceByOrderFindsIt() {
        // Shopify's fulfillments/create sample, subscribed to the order flow's route by mistake.
        intake().handle(ShopifyRequests.webhook("fulfillments/create",
                Fixtures.text("events/payloads/fulfillments-create.json")).build());
        // A body that names no entity: nothing to name, and no payload field stands in for it.
        intake().handle(ShopifyRequests.webhook("orders/create", "{\"name\":\"#1001\"}").build());

        assertThat(queues.deadLettered).hasSize(2);
        assertThat(queues.deadLettered.get(0).reason().entity())
                .isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(queues.deadLettered.get(0).envelope().entity()).as("the envelope stays unclassified").isNull();
        assertThat(queues.deadLettered.get(1).reason().entity()).isNull();
    }

    @Test
    void handle_shouldLogNoEntity_whenTheBodyCannotNameOne_orTheShopHeaderIsForged() {
        intake().handle(ShopifyRequests.webhook("orders/create", "{\"id\":820982911946154508,").build());
        intake().handle(ShopifyRequests.webhook("orders/create", ORDER)
                .header("x-shopify-shop-domain", "attacker.example").build());

        assertThat(log.parsed()).hasSize(2).allSatisfy(line -> assertThat(line.has("entity")).as(line.toString()).isFalse());
        assertThat(log.parsed().get(0).path("outcome").asText()).isEqualTo("dead-lettered");
        assertThat(log.parsed().get(1).path("reason").asText()).isEqualTo("shop-domain-malformed");
    }
}
