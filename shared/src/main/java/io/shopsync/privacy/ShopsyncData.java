package io.shopsync.privacy;

import io.shopsync.aws.SnsPublish;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.delivery.Target;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.S3Failure;
import io.shopsync.queue.S3Objects;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * What Shopsync itself holds, as a target of the privacy webhooks (target name {@value #NAME}, so each request
 * gets a delivery record, retries, the DLQ and an alert like any other delivery):
 *
 * <ul>
 *   <li>{@code customers/redact}: deletes the delivery records whose entity is the customer or one of
 *       {@code orders_to_redact}, the watermarks of those (the customer's, their e-mail and SMS consent's, each
 *       order's), and the claim-checked bodies in S3 of the shop that name the customer's id, e-mail or one of the
 *       orders.</li>
 *   <li>{@code shop/redact}: deletes every item of the shop in the table (delivery records, watermarks, event
 *       guards, SKU cache, reported levels, reconcile checkpoints, backfill positions) and every claim-checked body
 *       of the shop. Never anything in a CRM.</li>
 *   <li>{@code customers/data_request}: publishes a report to the alerts topic (ids only) of what Shopsync stores
 *       about the customer, where, and for how long, for the operator to forward.</li>
 * </ul>
 *
 * <p>The records of the privacy requests themselves are kept (their entity is {@code shop/privacy}, they carry no
 * customer id): they make a redelivered request a duplicate and expire with every other record. The table has
 * one key and no index by entity, so a request scans it: a few requests a month, each a read of the table.
 *
 * <p>The shop a request is about is the signed body's {@code shop_domain}, which must equal the (unsigned)
 * shop header: a captured body replayed under another shop's header erases nothing.
 */
public final class ShopsyncData implements Target {

    public static final String NAME = "shopsync";
    /** template.yaml: ClaimCheckBucket's ExpirationInDays, the flows' DLQ MessageRetentionPeriod. */
    static final int CLAIM_CHECK_DAYS = 30;
    static final int DEAD_LETTER_DAYS = 14;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Supplier<S3Objects> s3;
    private final String bucket;
    private final SnsPublish sns;
    private final String topicArn;
    private final Duration recordRetention;
    private final Telemetry telemetry;

    public ShopsyncData(DynamoDbClient dynamo, String table, Supplier<S3Objects> s3, String bucket, SnsPublish sns,
                        String topicArn, Duration recordRetention, Telemetry telemetry) {
        this.dynamo = dynamo;
        this.table = table;
        this.s3 = s3;
        this.bucket = bucket;
        this.sns = sns;
        this.topicArn = topicArn;
        this.recordRetention = recordRetention;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean takes(String topic) {
        return PrivacyTopics.isPrivacy(topic);
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        List<DeliveryOutcome> outcomes = new ArrayList<>();
        for (DeliveryItem item : items) {
            outcomes.add(deliver(item));
        }
        return outcomes;
    }

    private DeliveryOutcome deliver(DeliveryItem item) {
        PrivacyRequest request;
        try {
            request = PrivacyRequest.of(item.topic(), item.payload());
            String domain = item.payload().path("shop_domain").asText("");
            if (!domain.equalsIgnoreCase(item.shop())) {
                return new DeliveryOutcome.PermanentFailure("shopsync, " + item.topic() + " webhook "
                        + item.envelope().webhookId() + ": the body's shop_domain is not the shop header's "
                        + item.shop() + ", so nothing was erased: check the request came from Shopify", "shop-mismatch");
            }
        } catch (UnprocessableWebhookException e) {
            return new DeliveryOutcome.PermanentFailure("shopsync, " + item.topic() + ": " + e.getMessage(),
                    "unprocessable");
        }
        try {
            Summary summary = switch (item.topic()) {
                case PrivacyTopics.CUSTOMERS_REDACT -> redactCustomer(item, request);
                case PrivacyTopics.SHOP_REDACT -> redactShop(item);
                case PrivacyTopics.CUSTOMERS_DATA_REQUEST -> report(item, request);
                default -> throw new IllegalStateException("not a privacy topic: " + item.topic());
            };
            telemetry.line(item.envelope().flow(), item.topic() + " honoured in Shopsync's own stores")
                    .field("target", NAME).field("shop", item.shop()).field("topic", item.topic())
                    .field("webhookId", item.envelope().webhookId()).field("request", request.toString())
                    .field("tableItems", summary.tableItems()).field("claimChecks", summary.claimChecks())
                    .count("PrivacyRequestsHonoured").emit();
            return new DeliveryOutcome.Delivered();
        } catch (SdkException e) {
            return new DeliveryOutcome.RetryLater("shopsync, " + request + ": " + e.getClass().getSimpleName()
                    + " from DynamoDB, S3 or SNS (" + e.getMessage() + "); retried, the request stays queued");
        }
    }

    /** How many items a request deleted (or, for a data request, found). */
    record Summary(int tableItems, int claimChecks) {}

    private Summary redactCustomer(DeliveryItem delivery, PrivacyRequest request) {
        String shop = delivery.shop();
        String own = ownBody(delivery);
        Matches matches = new Matches(shop, request);
        List<Map<String, AttributeValue>> items = scan(matches::item);
        Set<String> webhookIds = new HashSet<>();
        for (Map<String, AttributeValue> item : items) {
            webhookId(shop, item.get("pk").s()).map(S3ClaimCheckStore::segment).ifPresent(webhookIds::add);
            delete(item.get("pk").s());
        }
        int bodies = 0;
        for (String key : claimChecksOf(shop)) {
            if (!name(key).equals(own) && (webhookIds.contains(name(key)) || matches.body(read(key)))) {
                s3.get().delete(bucket, key);
                bodies++;
            }
        }
        return new Summary(items.size(), bodies);
    }

    private Summary redactShop(DeliveryItem request) {
        String shop = request.shop();
        String own = ownBody(request);
        Pattern reported = Pattern.compile("reported#[^#]*#" + Pattern.quote(shop) + "#.*");
        List<String> prefixes = List.of("delivery#" + shop + ":", "watermark#" + shop + "/", "event#" + shop + "#",
                "sku#" + shop + "#", "reconcile#" + shop + "#", "backfill#" + shop + "#");
        List<Map<String, AttributeValue>> items = scan(item -> {
            String pk = item.get("pk").s();
            return !isPrivacyRecord(item) && (prefixes.stream().anyMatch(pk::startsWith) || reported.matcher(pk).matches());
        });
        items.forEach(item -> delete(item.get("pk").s()));
        List<String> bodies = claimChecksOf(shop).stream().filter(key -> !name(key).equals(own)).toList();
        bodies.forEach(key -> s3.get().delete(bucket, key));
        return new Summary(items.size(), bodies.size());
    }

    private Summary report(DeliveryItem item, PrivacyRequest request) {
        Matches matches = new Matches(item.shop(), request);
        List<Map<String, AttributeValue>> items = scan(matches::item);
        long records = items.stream().filter(i -> i.get("pk").s().startsWith("delivery#")).count();
        long watermarks = items.size() - records;
        int bodies = 0;
        for (String key : claimChecksOf(item.shop())) {
            if (matches.body(read(key))) {
                bodies++;
            }
        }
        String customer = request.customerId().orElseThrow();
        String text = "Shopify asked, for shop " + item.shop() + " (data request "
                + request.dataRequestId().orElse("without id") + ", webhook " + item.envelope().webhookId()
                + "), what Shopsync stores about customer " + customer + " and " + request.orderIds().size()
                + " of their orders. Forward this to the merchant; it names ids only.\n\n"
                + "Stored now:\n"
                + "  delivery records (DynamoDB table " + table + "): " + records + ". Each holds the Shopify webhook"
                + " id, topic, entity (shop/customer/" + customer + " or shop/order/<id>), state and outcome; no"
                + " names, addresses, e-mail or phone. Kept " + recordRetention.toHours() + " hours.\n"
                + "  watermarks (same table): " + watermarks + ". Each holds the entity's key and the newest Shopify"
                + " updated_at applied per target. Kept " + DynamoDbDeliveryStore.WATERMARK_RETENTION.toDays()
                + " days after the last change.\n"
                + "  claim-checked webhook bodies (S3 bucket " + bucket + "): " + bodies + ". These are the webhook"
                + " bodies exactly as Shopify sent them (with the customer's name, e-mail, phone and addresses)."
                + " Kept " + CLAIM_CHECK_DAYS + " days.\n"
                + "  dead-lettered webhooks (the flows' DLQs): webhook bodies as sent, kept " + DEAD_LETTER_DAYS
                + " days; scripts/shopsync dlq inspect <flow> lists them by webhook id.\n"
                + "  function logs (CloudWatch Logs): ids only (shop, topic, webhook id, entity), never personal data.\n\n"
                + "Passed on: to the CRM targets this deployment sends to (HubSpot contacts by e-mail, Klaviyo profiles),"
                + " which hold the customer's data under their own retention; Shopsync keeps no copy of it.\n"
                + "What to do: answer the merchant with this list within 30 days, as Shopify requires.";
        String subject = "Shopsync: customers/data_request for customer " + customer;
        sns.publish(topicArn, subject.length() <= 100 ? subject : subject.substring(0, 100), text, Map.of());
        return new Summary(items.size(), bodies);
    }

    /** What names the customer: their entities' records and watermarks, and bodies (by {@link PersonMatch}). */
    private static final class Matches {
        private final Set<String> entities = new HashSet<>();
        private final List<String> watermarkPrefixes = new ArrayList<>();
        private final PersonMatch person;

        Matches(String shop, PrivacyRequest request) {
            String customer = request.customerId().orElseThrow();
            for (String kind : List.of("customer", "customer-email-consent", "customer-sms-consent")) {
                add(kind, shop, customer);
            }
            request.orderIds().forEach(order -> add("order", shop, order));
            person = PersonMatch.of(request);
        }

        private void add(String kind, String shop, String id) {
            entities.add(shop + "/" + kind + "/" + id);
            watermarkPrefixes.add("watermark#" + shop + "/" + kind + "/" + id + "#");
        }

        boolean item(Map<String, AttributeValue> item) {
            String pk = item.get("pk").s();
            if (pk.startsWith("delivery#")) {
                AttributeValue entity = item.get("entity");
                return entity != null && entities.contains(entity.s()) && !isPrivacyRecord(item);
            }
            return watermarkPrefixes.stream().anyMatch(pk::startsWith);
        }

        boolean body(String body) {
            return person.names(body);
        }
    }

    private static boolean isPrivacyRecord(Map<String, AttributeValue> item) {
        AttributeValue topic = item.get("topic");
        return item.get("pk").s().startsWith("delivery#") && topic != null && PrivacyTopics.isPrivacy(topic.s());
    }

    /** {@code delivery#<shop>:<webhook id>#<target>} -> the webhook id. */
    private static java.util.Optional<String> webhookId(String shop, String pk) {
        String prefix = "delivery#" + shop + ":";
        if (!pk.startsWith(prefix) || pk.lastIndexOf('#') <= prefix.length()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(pk.substring(prefix.length(), pk.lastIndexOf('#')));
    }

    private List<Map<String, AttributeValue>> scan(Predicate<Map<String, AttributeValue>> wanted) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            // Names, not the attributes themselves: a projection may not use DynamoDB's reserved words.
            ScanRequest.Builder request = ScanRequest.builder().tableName(table).consistentRead(true)
                    .projectionExpression("#pk, #entity, #topic")
                    .expressionAttributeNames(Map.of("#pk", "pk", "#entity", "entity", "#topic", "topic"));
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            ScanResponse page = dynamo.scan(request.build());
            page.items().stream().filter(item -> item.containsKey("pk")).filter(wanted).forEach(found::add);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return found;
    }

    private void delete(String pk) {
        dynamo.deleteItem(r -> r.tableName(table).key(Map.of("pk", AttributeValue.builder().s(pk).build())));
    }

    /** The claim-check keys of the shop, in every flow's prefix: {@code flow/yyyy/MM/dd/<shop>/<name>.json}. */
    private List<String> claimChecksOf(String shop) {
        String segment = S3ClaimCheckStore.segment(shop);
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            S3Objects.Page page = s3.get().list(bucket, next);
            for (String key : page.keys()) {
                String[] parts = key.split("/");
                if (parts.length == 6 && parts[4].equals(segment)) {
                    keys.add(key);
                }
            }
            token = page.nextContinuationToken().orElse(null);
        } while (token != null);
        return keys;
    }

    private String read(String key) {
        try {
            return new String(s3.get().get(bucket, key), StandardCharsets.UTF_8);
        } catch (S3Failure e) {
            if (e.noSuchKey()) {
                return ""; // expired or deleted meanwhile: nothing left to match
            }
            throw e;
        }
    }

    /**
     * The claim-check name of the request's own body, which is never deleted while the request is delivered: the
     * other targets may still need it for a retry (it expires with every claim check).
     */
    private static String ownBody(DeliveryItem item) {
        return item.envelope().webhookId() == null ? "" : S3ClaimCheckStore.segment(item.envelope().webhookId());
    }

    private static String name(String key) {
        String last = key.substring(key.lastIndexOf('/') + 1);
        return last.endsWith(".json") ? last.substring(0, last.length() - 5) : last;
    }
}
