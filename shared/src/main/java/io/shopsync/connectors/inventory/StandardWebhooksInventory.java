package io.shopsync.connectors.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The generic inventory connector ("bring your own inventory system"): each stock level is POSTed
 * as one JSON event to the configured endpoint, signed as Standard Webhooks 1.0.0 asks.
 *
 * <pre>
 * POST {endpoint}
 * webhook-id: msg_…            the same for every retry of the level: the receiver dedupes on it
 * webhook-timestamp: 1764000000 unix seconds of this attempt (new on each retry, as the spec asks)
 * webhook-signature: v1,…       HMAC-SHA256 of "{id}.{timestamp}.{body}"; one per secret during a rotation
 * Idempotency-Key: msg_…        the webhook-id again, for receivers that follow the IETF draft
 * Content-Type: application/json
 * User-Agent: Shopsync/0.1
 *
 * {"type":"inventory.level.set","timestamp":"2026-11-27T15:59:58Z",
 *  "data":{"sku":"TSHIRT-RED-M","locationRef":"WH-MAIN","available":42,
 *          "sourceUpdatedAt":"2026-11-27T15:59:58Z","shop":"shop.myshopify.com",
 *          "inventoryItemId":"44001","shopifyLocationId":"77"}}
 * </pre>
 *
 * <p>{@code available} is Shopify's absolute level. When Shopify does not know it ({@code available}
 * null), the event is {@code inventory.level.unknown} with {@code "available": null}: receivers must
 * not read it as zero (it would zero the stock of an item Shopify merely stopped counting).
 * {@code sourceUpdatedAt} is the level's {@code updated_at} in Shopify: receivers drop a level older
 * than one they hold. {@code timestamp} is when the event occurred (the same {@code updated_at}), not
 * when it was sent: Standard Webhooks keeps it, and so the whole signed body, the same on every retry of
 * one message; only the {@code webhook-timestamp} header and the signature change. Shopify ids are strings: they
 * exceed what a JSON double holds exactly.
 *
 * <p>Answers: 2xx delivered; 410 permanent (the receiver asked to be disabled); 408, 409, 429, 5xx and
 * timeouts retried, not before Retry-After; any other status (redirects included) permanent. A 401
 * reloads the signing secret once (a rotation) and tries again.
 *
 * <p>The signing secret is {@code whsec_<base64>}, several separated by spaces during a rotation; it
 * is read on first use, and a malformed one fails the levels as a configuration error.
 */
public final class StandardWebhooksInventory implements InventorySystem {

    public static final String NAME = "webhook";
    public static final String TYPE_SET = "inventory.level.set";
    public static final String TYPE_UNKNOWN = "inventory.level.unknown";
    static final String USER_AGENT = "Shopsync/0.1";
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final TargetHttp http;
    private final URI endpoint;
    private final CachedSecret signingSecret;
    private final ObjectMapper json;
    private final Clock clock;
    private String parsedFrom;
    private StandardWebhookSignature signature;

    /**
     * @param endpoint the receiver's URL: https (plain http only on a loopback address, for local runs)
     * @param signingSecret the {@code whsec_…} secret(s) the receiver verifies with
     * @throws IllegalArgumentException when the endpoint is not an absolute https URL
     */
    public StandardWebhooksInventory(TargetHttp http, URI endpoint, CachedSecret signingSecret, ObjectMapper json,
                                     Clock clock) {
        this.http = http;
        this.endpoint = checked(endpoint);
        this.signingSecret = signingSecret;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<DeliveryOutcome> report(List<StockLevel> levels) {
        List<DeliveryOutcome> outcomes = new ArrayList<>(levels.size());
        if (levels.isEmpty()) {
            return outcomes;
        }
        StandardWebhookSignature signer;
        try {
            signer = signer();
        } catch (IllegalArgumentException malformed) {
            DeliveryOutcome failure = new DeliveryOutcome.PermanentFailure(malformed.getMessage(), "configuration");
            levels.forEach(level -> outcomes.add(failure));
            return outcomes;
        }
        for (StockLevel level : levels) {
            outcomes.add(report(level, signer));
        }
        return outcomes;
    }

    private DeliveryOutcome report(StockLevel level, StandardWebhookSignature signer) {
        String webhookId = StableIds.webhookId(level.deliveryId());
        TargetResponse response = send(level, webhookId, signer);
        if (response instanceof TargetResponse.Permanent rejected && rejected.status() == 401
                && signingSecret.refreshAfterRejection()) {
            try {
                response = send(level, webhookId, signer());
            } catch (IllegalArgumentException malformed) {
                return new DeliveryOutcome.PermanentFailure(malformed.getMessage(), "configuration");
            }
        }
        if (response instanceof TargetResponse.Success) {
            return new DeliveryOutcome.Delivered();
        }
        if (response instanceof TargetResponse.Transient retry) {
            return retry.outcome();
        }
        TargetResponse.Permanent permanent = (TargetResponse.Permanent) response;
        return new DeliveryOutcome.PermanentFailure(reason(permanent), permanent.category());
    }

    private TargetResponse send(StockLevel level, String webhookId, StandardWebhookSignature signer) {
        byte[] body = body(level);
        long timestamp = clock.instant().getEpochSecond(); // this attempt's: the receiver's replay check
        return http.send(HttpRequest.newBuilder(endpoint)
                .header("webhook-id", webhookId)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signer.sign(webhookId, timestamp, body))
                .header("Idempotency-Key", webhookId)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** The exact bytes sent and signed: the same on every attempt for one level. */
    byte[] body(StockLevel level) {
        ObjectNode event = json.createObjectNode();
        event.put("type", level.available() == null ? TYPE_UNKNOWN : TYPE_SET);
        event.put("timestamp", level.sourceUpdatedAt().toString());
        ObjectNode data = event.putObject("data");
        data.put("sku", level.sku());
        data.put("locationRef", level.locationRef());
        if (level.available() == null) {
            data.putNull("available");
        } else {
            data.put("available", level.available().intValue());
        }
        data.put("sourceUpdatedAt", level.sourceUpdatedAt().toString());
        data.put("shop", level.shop());
        data.put("inventoryItemId", level.inventoryItemId());
        data.put("shopifyLocationId", level.shopifyLocationId());
        try {
            return json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an inventory webhook body", e);
        }
    }

    private String reason(TargetResponse.Permanent permanent) {
        String answered = withoutGenericAdvice(permanent.reason());
        return switch (permanent.status()) {
            case 410 -> "the endpoint asked to be disabled (410 Gone): fix or remove the endpoint, then redrive ("
                    + answered + ")";
            case 401, 403 -> answered + ": the receiver rejected the request; if it rejected the signature, check"
                    + " that it verifies with the secret in " + signingSecret.description() + " (the part after whsec_,"
                    + " base64-decoded, is the HMAC key), then redrive";
            default -> answered + ": fix the receiver or the level it rejected, then redrive";
        };
    }

    /** TargetHttp's advice for 401/403/404/410 speaks of tokens and resources; this target's advice is above. */
    private static String withoutGenericAdvice(String reason) {
        int advice = reason.lastIndexOf(" (the " + NAME + " ");
        return advice > 0 && reason.endsWith(")") ? reason.substring(0, advice) : reason;
    }

    /** The signer for the secret's current value; parsed again only when the value changed (a rotation). */
    private synchronized StandardWebhookSignature signer() {
        String current = signingSecret.get();
        if (signature == null || !current.equals(parsedFrom)) {
            StandardWebhookSignature parsed;
            try {
                parsed = StandardWebhookSignature.parse(current, signingSecret.description());
            } catch (IllegalArgumentException malformed) {
                // Perhaps already fixed: look once more (CachedSecret allows this at most once a minute).
                if (!signingSecret.refreshAfterRejection()) {
                    throw malformed;
                }
                current = signingSecret.get();
                parsed = StandardWebhookSignature.parse(current, signingSecret.description());
            }
            parsedFrom = current;
            signature = parsed;
        }
        return signature;
    }

    private static URI checked(URI endpoint) {
        String scheme = endpoint == null ? null : endpoint.getScheme();
        boolean https = "https".equalsIgnoreCase(scheme);
        boolean localHttp = "http".equalsIgnoreCase(scheme) && endpoint.getHost() != null
                && LOOPBACK.contains(endpoint.getHost().toLowerCase());
        if (!https && !localHttp) {
            throw new IllegalArgumentException("the inventory webhook endpoint must be an absolute https:// URL (got "
                    + (endpoint == null ? "none" : endpoint.getScheme() + "://" + endpoint.getHost() + "...")
                    + "): Standard Webhooks are sent over HTTPS; plain http is accepted only on a loopback address"
                    + " for local runs");
        }
        return endpoint;
    }
}
