package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.reconcile.DynamoDbCheckpoints;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Shopify's privacy webhooks on a real AWS-compatible endpoint: signed requests on the privacy route → intake →
 * the order flow's FIFO queue (group shop/privacy) → delivery with DynamoDB records → Klaviyo's deletion jobs and
 * HubSpot's GDPR delete (a local server answering as both do, failures included) and Shopsync's own stores. The
 * table and the bucket are scanned afterwards for anything that still names the customer.
 */
@ExtendWith(AwsBackend.class)
class OrderPrivacyDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String OTHER_SHOP = "other-store.myshopify.com";
    private static final String CUSTOMER = "706405506930370084";
    private static final String EMAIL = "zoe.adams@example.com";
    private static final String ORDER = "820982911946154508";
    /** orders-guest-pos.json: another order of the shop, no customer, which a customer's erasure leaves alone. */
    private static final String OTHER_ORDER = "734281950317462958";

    private final AwsFlowStack stack;
    private final FakeCrmApis apis = new FakeCrmApis("pat-na1-e2e", "pk_e2e_0123456789");
    /** Every body over 1 KB claim-checked in S3, as an oversized order would be. */
    private final OrderToCrm claimChecking;
    private final OrderToCrm function;
    private final SqsEventSource source;

    OrderPrivacyDeliveryIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        Map<String, String> settings = new HashMap<>(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "ORDER_FLOW_CONSENT_TOPICS", "true",
                "HUBSPOT_TOKEN", "pat-na1-e2e",
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "HUBSPOT_SUBSCRIPTION_TYPE_ID", "21439502",
                "KLAVIYO_API_KEY", "pk_e2e_0123456789",
                "KLAVIYO_BASE_URL", apis.baseUrl(),
                "KLAVIYO_LIST_ID", "Y6nRLr"));
        this.function = new OrderToCrm(stack.environment(settings));
        settings.put("CLAIM_CHECK_THRESHOLD_BYTES", "1024");
        this.claimChecking = new OrderToCrm(stack.environment(settings));
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    private String post(OrderToCrm to, String topic, String payloadFile) {
        String event = event(topic, Fixtures.text("events/payloads/" + payloadFile));
        JsonNode answer = LambdaInvoker.invoke(to, event);
        assertThat(answer.path("statusCode").asInt()).as(topic + " answered").isEqualTo(200);
        try {
            return JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A signed delivery of {@code body} as {@code topic} on the privacy route (POST /webhooks/privacy). */
    private static String event(String topic, String body) {
        String event = LambdaInvoker.withTopicAndBody(Fixtures.text("events/order-to-crm/orders-create.json"), topic, body);
        return event.replace("/webhooks/orders", "/webhooks/privacy");
    }

    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 60 s").isTrue();
    }

    private boolean completed(String webhookId, String target) {
        return "COMPLETED".equals(stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target).get("state"));
    }

    private boolean completedEverywhere(String webhookId, String... targets) {
        for (String target : targets) {
            if (!completed(webhookId, target)) {
                return false;
            }
        }
        return true;
    }

    /** The customer's order, their consent, and a guest order, delivered to both CRMs (bodies claim-checked). */
    private void seedTheShop() {
        String order = post(claimChecking, "orders/create", "orders-create.json");
        String consent = post(claimChecking, "customers_email_marketing_consent/update",
                "customers-email-marketing-consent-update.json");
        String guest = post(claimChecking, "orders/create", "orders-guest-pos.json");
        pollUntil(() -> completedEverywhere(order, "hubspot", "klaviyo") && completedEverywhere(consent, "hubspot", "klaviyo")
                && completedEverywhere(guest, "hubspot", "klaviyo"));
        assertThat(stack.item("watermark#" + SHOP + "/customer/" + CUSTOMER + "#hubspot")).containsKey("version");
        assertThat(stack.item("watermark#" + SHOP + "/order/" + ORDER + "#klaviyo")).containsKey("version");
        assertThat(stack.item("watermark#" + SHOP + "/customer-email-consent/" + CUSTOMER + "#klaviyo")).containsKey("version");
    }

    /** Every table item as text (all attributes), so a value anywhere in it is found. */
    private List<String> tableItems() {
        List<String> items = new ArrayList<>();
        stack.aws.dynamo().scanPaginator(r -> r.tableName(stack.table).consistentRead(true)).items()
                .forEach(item -> items.add(text(item)));
        return items;
    }

    private static String text(Map<String, AttributeValue> item) {
        StringBuilder text = new StringBuilder();
        item.forEach((name, value) -> text.append(name).append('=').append(value.s() != null ? value.s()
                : value.n() != null ? value.n() : String.valueOf(value)).append(' '));
        return text.toString().toLowerCase(Locale.ROOT);
    }

    /** Every claim-checked body in the bucket, by key. */
    private Map<String, String> bucket() {
        Map<String, String> bodies = new HashMap<>();
        for (S3Object object : stack.aws.s3().listObjectsV2Paginator(r -> r.bucket(stack.bucket)).contents()) {
            bodies.put(object.key(), stack.aws.s3().getObjectAsBytes(r -> r.bucket(stack.bucket).key(object.key()))
                    .asString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
        }
        return bodies;
    }

    private static boolean namesTheCustomer(String text) {
        return text.contains(CUSTOMER) || text.contains(EMAIL) || text.contains(ORDER) || text.contains("+13175550142");
    }

    @Test
    void customersRedact_withEachCrmFailingOnce_deletesThePersonInBoth_andLeavesNothingOfThemInTableOrBucket() {
        seedTheShop();
        assertThat(tableItems()).as("the seeded table names the customer").anyMatch(OrderPrivacyDeliveryIT::namesTheCustomer);
        assertThat(bucket().values()).as("the seeded bucket names the customer").anyMatch(OrderPrivacyDeliveryIT::namesTheCustomer);
        apis.answerNext(FakeCrmApis.KLAVIYO_DELETION_JOBS, 1, FakeCrmApis.klaviyoThrottled(1));
        apis.answerNext(FakeCrmApis.HUBSPOT_GDPR_DELETE, 1, FakeCrmApis.hubspotServerError(503));

        String redact = post(function, "customers/redact", "customers-redact.json");
        pollUntil(() -> completedEverywhere(redact, "hubspot", "klaviyo", "shopsync"));

        List<JsonNode> gdpr = apis.bodies(FakeCrmApis.HUBSPOT_GDPR_DELETE);
        assertThat(gdpr).hasSize(2); // the 503, then the 204
        assertThat(gdpr.get(1).path("objectId").asText()).isEqualTo(EMAIL);
        assertThat(gdpr.get(1).path("idProperty").asText()).isEqualTo("email");
        List<JsonNode> jobs = apis.bodies(FakeCrmApis.KLAVIYO_DELETION_JOBS);
        // the 429 on the e-mail's job, then the e-mail's and the phone's jobs, one identifier each
        assertThat(jobs).hasSize(3);
        assertThat(jobs.get(1).path("data").path("attributes").path("profile").path("data").path("attributes").path("email")
                .asText()).isEqualTo(EMAIL);
        assertThat(jobs.get(2).path("data").path("attributes").path("profile").path("data").path("attributes")
                .path("phone_number").asText()).isEqualTo("+13175550142");
        for (String target : new String[] {"hubspot", "klaviyo", "shopsync"}) {
            assertThat(stack.item("delivery#" + SHOP + ":" + redact + "#" + target))
                    .containsEntry("outcome", "delivered").containsEntry("entity", SHOP + "/privacy");
        }

        assertThat(tableItems()).as("nothing in the table names the customer, their e-mail or their order")
                .noneMatch(OrderPrivacyDeliveryIT::namesTheCustomer);
        assertThat(bucket().values()).as("no claim-checked body names them")
                .noneMatch(OrderPrivacyDeliveryIT::namesTheCustomer);
        assertThat(stack.item("watermark#" + SHOP + "/order/" + OTHER_ORDER + "#hubspot"))
                .as("another order of the shop stays").containsKey("version");
        assertThat(bucket()).as("the guest order's body stays").isNotEmpty();
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void customersRedact_thatKlaviyoRefuses_isDeadLetteredWithAnAlert_whileHubSpotAndShopsyncAreDone() {
        apis.answerAlways(FakeCrmApis.KLAVIYO_DELETION_JOBS, FakeCrmApis.klaviyoError(403, "permission_denied",
                "You do not have permission to perform this action.", "This API key is missing required scopes."));

        String redact = post(function, "customers/redact", "customers-redact.json");
        pollUntil(() -> "FAILED".equals(stack.item("delivery#" + SHOP + ":" + redact + "#klaviyo").get("state")));

        assertThat(completedEverywhere(redact, "hubspot", "shopsync")).isTrue();
        List<Message> dead = stack.aws.drain(stack.queues.deadLetterQueueUrl());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).messageAttributes().get("reason").stringValue()).contains("data-privacy:write");
        String alert = String.join("\n", stack.aws.drain(stack.alerts.queueUrl()).stream().map(Message::body).toList());
        assertThat(alert).contains("klaviyo").contains(redact);
        assertThat(alert.toLowerCase(Locale.ROOT)).doesNotContain(EMAIL).doesNotContain("13175550142");
    }

    @Test
    void shopRedact_deletesEverythingOfTheShop_andNothingOfAnotherShop_norAnythingInACrm() {
        seedTheShop();
        DynamoDbCheckpoints checkpoints = new DynamoDbCheckpoints(stack.aws.dynamo(), stack.table);
        for (String shop : List.of(SHOP, OTHER_SHOP)) {
            checkpoints.advance(shop, "orders", Instant.parse("2026-11-27T00:00:00Z"));
            put("sku#" + shop + "#49148385");
            put("reported#katana#" + shop + "#IPOD2008PINK#655441491");
            put("backfill#" + shop + "#2026-11-01T00:00:00Z#orders");
        }
        int crmRequests = apis.server.getAllServeEvents().size();

        String redact = post(function, "shop/redact", "shop-redact.json");
        pollUntil(() -> completed(redact, "shopsync"));

        assertThat(tableItems()).as("nothing of the shop but the privacy request's own record and event guard").allMatch(item ->
                !item.contains(SHOP) || item.contains("shop/redact"));
        assertThat(tableItems()).as("the other shop's items stay").filteredOn(item -> item.contains(OTHER_SHOP)).hasSize(4);
        assertThat(bucket().keySet()).noneMatch(key -> key.contains(SHOP));
        assertThat(apis.server.getAllServeEvents()).as("no CRM request").hasSize(crmRequests);
        assertThat(stack.item("delivery#" + SHOP + ":" + redact + "#hubspot")).isEmpty();
        assertThat(stack.item("delivery#" + SHOP + ":" + redact + "#klaviyo")).isEmpty();
    }

    @Test
    void customersDataRequest_publishesAReportOfWhatIsStored_withIdsOnly() throws Exception {
        seedTheShop();

        String request = post(function, "customers/data_request", "customers-data-request.json");
        pollUntil(() -> completed(request, "shopsync"));

        List<Message> published = stack.aws.drain(stack.alerts.queueUrl());
        String report = published.stream().map(m -> {
            try {
                return JSON.readTree(m.body()).path("Message").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).filter(text -> text.contains("data request 9999")).findFirst().orElseThrow();
        assertThat(report).contains("customer " + CUSTOMER).contains(stack.table).contains(stack.bucket)
                // the order and the consent webhook, each to HubSpot and Klaviyo
                .contains("delivery records (DynamoDB table " + stack.table + "): 4")
                // the order's, the customer's and the consent's, per CRM
                .contains("watermarks (same table): 6")
                .contains("Kept 72 hours").contains("Kept 30 days");
        assertThat(report.toLowerCase(Locale.ROOT)).doesNotContain(EMAIL).doesNotContain("13175550142")
                .doesNotContain("zoe");
        assertThat(tableItems()).as("a data request erases nothing").anyMatch(OrderPrivacyDeliveryIT::namesTheCustomer);
        assertThat(stack.item("delivery#" + SHOP + ":" + request + "#hubspot")).isEmpty();
    }

    @Test
    void aPrivacyRequest_withABadHmac_isRefusedWith401_andNothingIsQueued() {
        String event = LambdaInvoker.tampered(event("customers/redact", Fixtures.text("events/payloads/customers-redact.json")));

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(401);
        assertThat(stack.aws.drain(stack.queues.workQueueUrl())).isEmpty();
    }

    private void put(String pk) {
        stack.aws.dynamo().putItem(r -> r.tableName(stack.table).item(Map.of(
                "pk", AttributeValue.builder().s(pk).build(),
                "expiresAt", AttributeValue.builder().n(Long.toString(Instant.now().plusSeconds(86_400).getEpochSecond())).build())));
    }
}
