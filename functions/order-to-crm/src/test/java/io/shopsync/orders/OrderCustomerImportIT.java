package io.shopsync.orders;

import io.shopsync.testing.MotoS3;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.CustomerReconciliation;
import io.shopsync.reconcile.ReconcileWindow;
import io.shopsync.reconcile.ShopifyCustomers;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.ShopifyGraphqlValidation;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A customer the import queued ({@link CustomerReconciliation}, as {@code reconcile --flows customers} runs it),
 * delivered by the order flow of a stack that takes customers/* (ORDER_FLOW_CUSTOMER_TOPICS=true): FIFO queue, the
 * SQS event source, delivery with DynamoDB records and the person watermark, HubSpot and Klaviyo (a local server
 * answering as both do). Shopify is a local server answering the {@code customers} connection as the Admin API does.
 */
@ExtendWith(AwsBackend.class)
class OrderCustomerImportIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String CUSTOMER = "706405506930370084";
    private static final Instant UPDATED = Instant.parse("2026-11-27T10:15:40Z");
    private static final ReconcileWindow WINDOW = new ReconcileWindow(Instant.parse("2025-06-01T00:00:00Z"),
            Instant.parse("2026-12-01T00:00:00Z"));

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final FakeCrmApis apis = new FakeCrmApis("pat-na1-e2e", "pk_e2e_0123456789");
    private final WireMockServer shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation()));
    private final OrderToCrm function;
    private final SqsEventSource source;

    OrderCustomerImportIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.function = new OrderToCrm(stack.environment(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "ORDER_FLOW_CUSTOMER_TOPICS", "true",
                "HUBSPOT_TOKEN", "pat-na1-e2e",
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "KLAVIYO_API_KEY", "pk_e2e_0123456789",
                "KLAVIYO_BASE_URL", apis.baseUrl())));
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
        shopify.start();
        // A customer who never ordered, as the 2026-10 Admin API answers the import's query.
        shopify.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json"))
                .withHeader("X-Shopify-Access-Token", equalTo("shpat_0123456789abcdef"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"data":{"customers":{"pageInfo":{"hasNextPage":false,"endCursor":"eyJsYXN0X2lkIjoxfQ=="},
                         "nodes":[{"legacyResourceId":"%s","firstName":"Zoë","lastName":"Adams","state":"ENABLED",
                          "note":null,"verifiedEmail":true,"taxExempt":false,"createdAt":"2024-03-14T09:26:53-04:00",
                          "updatedAt":"%s","defaultEmailAddress":{"emailAddress":"Zoe.Adams@Example.com"},
                          "defaultPhoneNumber":{"phoneNumber":"+16135550142"},
                          "defaultAddress":{"firstName":"Zoë","lastName":"Adams","name":"Zoë Adams","company":null,
                           "address1":"150 Elgin Street","address2":"Suite 800","city":"Ottawa","province":"Ontario",
                           "provinceCode":"ON","country":"Canada","countryCodeV2":"CA","zip":"K2P 1L4","phone":null}}]}},
                         "extensions":{"cost":{"requestedQueryCost":402,"actualQueryCost":6,
                          "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1994,"restoreRate":100.0}}}}"""
                        .formatted(CUSTOMER, UPDATED))));
    }

    @AfterEach
    void stop() {
        apis.close();
        shopify.stop();
    }

    private CheckReport importCustomers() {
        Clock clock = Clock.systemUTC();
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(5), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, JSON, clock);
        SqsFlowQueues queues = new SqsFlowQueues(aws.sqs(), stack.queues.workQueueUrl(), stack.queues.deadLetterQueueUrl(),
                new S3ClaimCheckStore(MotoS3.of(aws), stack.bucket), new EnvelopeCodec(JSON), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        CustomerReconciliation check = new CustomerReconciliation(WebhookRoutes.orderFlow(true), Set.of("hubspot", "klaviyo"),
                ShopifyCustomers.withDefaults(admin, duration -> { }), DynamoDbDeliveryStore.withDefaults(aws.dynamo(), stack.table),
                queues, admin.apiVersion(), JSON, new Telemetry(JSON, line -> { }, clock), clock);
        return check.run(SHOP, WINDOW, false);
    }

    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 20 s").isTrue();
    }

    private boolean completed(String webhookId, String target) {
        return "COMPLETED".equals(stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target).get("state"));
    }

    @Test
    void anImportedCustomer_reachesHubSpotAndKlaviyoAsTheirCustomerWebhook_andIsCurrentForTheNextImport() {
        CheckReport first = importCustomers();

        assertThat(first.queued()).singleElement().satisfies(queued -> assertThat(queued.topic()).isEqualTo("customers/create"));
        String webhookId = first.queued().get(0).webhookId();
        pollUntil(() -> completed(webhookId, "hubspot") && completed(webhookId, "klaviyo"));

        JsonNode contact = apis.bodies(FakeCrmApis.HUBSPOT_CONTACTS).get(0).path("inputs").get(0);
        assertThat(contact.path("idProperty").asText()).isEqualTo("email");
        assertThat(contact.path("id").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(contact.path("properties").path("city").asText()).isEqualTo("Ottawa");
        JsonNode profile = apis.bodies(FakeCrmApis.KLAVIYO_PROFILES).get(0).path("data").path("attributes");
        assertThat(profile.path("email").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(profile.path("external_id").asText()).isEqualTo(CUSTOMER);
        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_EVENTS)).as("a customer is a profile, never an event that starts a flow")
                .isEmpty();
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS)).isEmpty();
        for (String target : new String[] {"hubspot", "klaviyo"}) {
            assertThat(stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target)).containsEntry("outcome", "delivered")
                    .containsEntry("entity", SHOP + "/customer/" + CUSTOMER);
            assertThat(stack.item("watermark#" + SHOP + "/customer/" + CUSTOMER + "#" + target)).containsKey("version");
        }
        assertThat(aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();

        CheckReport again = importCustomers();

        assertThat(again.queued()).isEmpty();
        assertThat(again.current()).isEqualTo(1);
    }
}
