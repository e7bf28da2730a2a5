package io.shopsync.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.EntityKey;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.flow.PayloadStub;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.QueueUnavailableException;
import io.shopsync.webhook.SecretsUnavailableException;
import io.shopsync.webhook.ShopDomain;
import io.shopsync.webhook.ShopifyHeaders;
import io.shopsync.webhook.Untrusted;
import io.shopsync.webhook.WebhookVerifier;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The intake path of a flow: verify, classify, enqueue, answer. No DynamoDB and no target calls here:
 * Shopify allows 5 seconds in all over HTTPS, and everything slow or fallible happens behind the queue.
 * Both front doors end here: an HTTPS request ({@link #handle}) and an Amazon EventBridge delivery
 * ({@link #handleEventBridge}) become the same envelope on the same queue, with the same group and
 * deduplication ids; only the HMAC check is HTTPS's own.
 */
public final class WebhookIntake {

    /** Every flow as a stack may run it, to name the entity of a webhook sent to another flow's route. */
    private static final List<Flow> ROUTED_FLOWS = WebhookRoutes.all(true, true).stream()
            .map(WebhookRoutes.Route::flow).toList();

    private final Flow flow;
    private final WebhookVerifier verifier;
    private final Set<String> allowedShops;
    private final FlowQueues queues;
    private final ObjectMapper json;
    private final Telemetry telemetry;
    private final Clock clock;

    /**
     * @param allowedShops shop domains accepted (bare {@code <name>.myshopify.com}); empty accepts every
     *     well-formed shop whose signature verifies
     */
    public WebhookIntake(Flow flow, WebhookVerifier verifier, Set<String> allowedShops, FlowQueues queues,
                         ObjectMapper json, Telemetry telemetry, Clock clock) {
        this.flow = flow;
        this.verifier = verifier;
        this.allowedShops = ShopDomain.configured(allowedShops, "the shop allow-list (SHOPIFY_ALLOWED_SHOPS)");
        this.queues = queues;
        this.json = json;
        this.telemetry = telemetry;
        this.clock = clock;
    }

    /**
     * An intake for EventBridge deliveries only (the operator CLI's redrive of a flow's events dead-letter
     * queue): the same allow-list, classification and queues as the function's, and no signing secret, since
     * {@link #handleEventBridge} checks none. {@link #handle} on it refuses every request as unverifiable.
     */
    public static WebhookIntake forEventBridge(Flow flow, Set<String> allowedShops, FlowQueues queues, ObjectMapper json,
                                               Telemetry telemetry, Clock clock) {
        WebhookVerifier noSecrets = new WebhookVerifier(() -> {
            throw new SecretsUnavailableException("flow " + flow.name() + ": this intake takes EventBridge deliveries"
                    + " only and holds no signing secret", null);
        }, clock, java.time.Duration.ofMinutes(1));
        return new WebhookIntake(flow, noSecrets, allowedShops, queues, json, telemetry, clock);
    }

    public IntakeOutcome handle(HttpRequest request) {
        long started = System.nanoTime();
        ShopifyHeaders headers = ShopifyHeaders.of(request.headers());
        Envelope received = received(headers, request.body());
        IntakeOutcome outcome = decide(headers, received, request.body(), true);
        record(outcome, received, request.body(), started, "https");
        return outcome;
    }

    /**
     * A webhook from Shopify's Amazon EventBridge partner event source. The event reached this function
     * only through an AWS-authenticated partner event bus and rule, so there is no HMAC to check; the shop
     * must still be a bare {@code <name>.myshopify.com} on the allow-list, and the topic one this flow takes.
     *
     * @param metadata {@code detail.metadata}: the X-Shopify-* headers, in any key casing
     * @param payload the exact bytes of {@code detail.payload}
     */
    public IntakeOutcome handleEventBridge(Map<String, String> metadata, byte[] payload) {
        long started = System.nanoTime();
        ShopifyHeaders headers = ShopifyHeaders.of(metadata);
        Envelope received = received(headers, payload);
        IntakeOutcome outcome = decide(headers, received, payload, false);
        record(outcome, received, payload, started, "eventbridge");
        return outcome;
    }

    /**
     * A request whose body cannot be read as received (marked base64 but not base64): no signature can
     * be checked against it, so it is unauthenticated, answered 401 and counted like any other.
     */
    public IntakeOutcome refuseUnreadable(Map<String, String> rawHeaders, String reason) {
        long started = System.nanoTime();
        IntakeOutcome outcome = new IntakeOutcome.Unauthenticated(reason);
        record(outcome, received(ShopifyHeaders.of(rawHeaders), new byte[0]), new byte[0], started, "https");
        return outcome;
    }

    private Envelope received(ShopifyHeaders headers, byte[] body) {
        return new Envelope(flow.name(), headers.topic(), headers.shopDomain(), headers.webhookId(),
                headers.eventId(), headers.triggeredAt().orElse(null), headers.apiVersion(), clock.instant(), null,
                new Body.Inline(body));
    }

    /** @param signed whether the delivery came over HTTPS and must carry a valid HMAC */
    private IntakeOutcome decide(ShopifyHeaders headers, Envelope received, byte[] body, boolean signed) {
        String shop = received.shop();
        // The header is not signed: only a bare <name>.myshopify.com may name the shop (queue key, watermark
        // key, and which configured shop's Admin API a look-up goes to).
        if (shop != null && ShopDomain.parse(shop).filter(shop::equals).isEmpty()) {
            return new IntakeOutcome.Unauthenticated("shop-domain-malformed");
        }
        if (!allowedShops.isEmpty() && (shop == null || !allowedShops.contains(shop))) {
            return new IntakeOutcome.Unauthenticated("shop not on SHOPIFY_ALLOWED_SHOPS");
        }
        if (signed) {
            WebhookVerifier.Verdict verdict;
            try {
                verdict = verifier.verify(shop, body, headers.hmac());
            } catch (SecretsUnavailableException e) {
                return new IntakeOutcome.Failed(e.getMessage());
            }
            if (verdict != WebhookVerifier.Verdict.AUTHENTIC) {
                return new IntakeOutcome.Unauthenticated(verdict.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            }
        }
        Envelope envelope;
        try {
            envelope = received.withEntity(classify(received, body));
        } catch (UnprocessableWebhookException e) {
            String reason = e.getMessage();
            // The entity as the log line names it (entityOfUnqueued): the trace by that entity finds the letter.
            String entity = entityOfUnqueued(received, body).orElse(null);
            try {
                queues.deadLetter(received, DeadLetterReason.atIntake(reason, entity));
            } catch (QueueUnavailableException failure) {
                return new IntakeOutcome.Failed(failure.getMessage());
            }
            return new IntakeOutcome.DeadLettered(received, reason, entity);
        }
        try {
            queues.enqueue(envelope);
        } catch (QueueUnavailableException failure) {
            return new IntakeOutcome.Failed(failure.getMessage());
        }
        return new IntakeOutcome.Enqueued(envelope);
    }

    /** The entity key of an authentic delivery, or why it can never be processed. */
    private String classify(Envelope received, byte[] body) {
        if (received.topic() == null) {
            throw new UnprocessableWebhookException("no X-Shopify-Topic header: cannot tell what the payload is");
        }
        if (received.shop() == null) {
            throw new UnprocessableWebhookException("no X-Shopify-Shop-Domain header: cannot tell which shop sent it");
        }
        EntityKey entityKey = flow.entityKeyFor(received.topic()).orElseThrow(() ->
                new UnprocessableWebhookException("topic " + Untrusted.excerpt(received.topic()) + " is not handled by flow "
                        + flow.name() + " (it takes " + String.join(", ", flow.topics())
                        + "): point this subscription at the route of the flow that handles the topic"));
        JsonNode payload;
        try {
            payload = json.readTree(body);
        } catch (IOException e) {
            throw new UnprocessableWebhookException("body is not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (payload == null || !payload.isObject()) {
            throw new UnprocessableWebhookException("body is not a JSON object");
        }
        if (PayloadStub.isStub(payload)) {
            // Queued as it came: the delivery path fetches the resource by this id. Only a stub it can
            // complete is queued; any other is dead-lettered now, with what to do.
            String id = EntityKeys.id(payload, "id");
            if (PayloadStub.fetchFor(received.topic(), id).isEmpty()) {
                throw new UnprocessableWebhookException(PayloadStub.cannotFetch(received.topic(), id));
            }
        }
        return entityKey.of(received.shop(), payload);
    }

    /**
     * The entity a webhook intake did not queue (refused, dead-lettered, failed) is about, for its log line and a
     * dead letter's {@code entity} attribute: {@code scripts/shopsync trace} finds such a webhook by the entity. Empty
     * when the shop header is not a bare shop domain or the body names no entity. The body may be unauthenticated
     * (the line's outcome says so): the entity is only ever a key to search by, an id and never a payload field.
     */
    private Optional<String> entityOfUnqueued(Envelope received, byte[] body) {
        String shop = received.shop();
        String topic = received.topic();
        if (shop == null || topic == null || ShopDomain.parse(shop).filter(shop::equals).isEmpty()) {
            return Optional.empty();
        }
        Optional<EntityKey> key = flow.entityKeyFor(topic).or(() -> ROUTED_FLOWS.stream()
                .map(f -> f.entityKeyFor(topic)).flatMap(Optional::stream).findFirst());
        if (key.isEmpty()) {
            return Optional.empty();
        }
        JsonNode payload;
        try {
            payload = json.readTree(body);
        } catch (IOException e) {
            return Optional.empty(); // not JSON: the line's reason says so, and there is no entity to name
        }
        if (payload == null || !payload.isObject()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Untrusted.excerpt(key.get().of(shop, payload)));
        } catch (UnprocessableWebhookException e) {
            return Optional.empty(); // the body lacks the ids that name its entity: the line's reason says which
        }
    }

    private void record(IntakeOutcome outcome, Envelope received, byte[] body, long startedNanos, String via) {
        int bodyBytes = body.length;
        Telemetry.Line line = telemetry.line(flow.name(), "webhook intake")
                .field("via", via)
                // Unsigned headers, possibly forged and of any length: a 401 flood must not fill the logs.
                .field("shop", Untrusted.excerpt(received.shop()))
                .field("topic", Untrusted.excerpt(received.topic()))
                .field("webhookId", Untrusted.excerpt(received.webhookId()))
                .field("eventId", Untrusted.excerpt(received.eventId()))
                .field("bodyBytes", bodyBytes)
                .count("WebhooksReceived");
        if (outcome instanceof IntakeOutcome.Enqueued enqueued) {
            line.field("outcome", "enqueued").field("entity", enqueued.envelope().entity()).count("WebhooksEnqueued");
        } else if (outcome instanceof IntakeOutcome.DeadLettered deadLettered) {
            line.field("outcome", "dead-lettered").field("reason", deadLettered.reason()).count("DeadLettered");
        } else if (outcome instanceof IntakeOutcome.Unauthenticated unauthenticated) {
            line.field("outcome", "unauthenticated").field("reason", unauthenticated.reason())
                    .count("WebhooksUnauthenticated");
        } else if (outcome instanceof IntakeOutcome.Failed failed) {
            line.field("outcome", "failed").field("reason", failed.reason())
                    .field("action", "Shopify will retry; fix the cause named in reason before its retries run out")
                    .count("IntakeFailures");
        }
        if (outcome instanceof IntakeOutcome.DeadLettered deadLettered) {
            if (deadLettered.entity() != null) {
                line.field("entity", deadLettered.entity());
            }
        } else if (!(outcome instanceof IntakeOutcome.Enqueued)) {
            entityOfUnqueued(received, body).ifPresent(entity -> line.field("entity", entity));
        }
        Instant triggeredAt = received.triggeredAt();
        if (triggeredAt != null) {
            line.field("triggeredAt", triggeredAt.toString());
        }
        line.milliseconds("IntakeLatency", (System.nanoTime() - startedNanos) / 1_000_000.0).emit();
    }
}
