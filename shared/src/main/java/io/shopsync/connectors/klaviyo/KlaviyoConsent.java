package io.shopsync.connectors.klaviyo;

import io.shopsync.connectors.MarketingConsent;
import io.shopsync.connectors.MarketingConsent.Channel;
import io.shopsync.connectors.MarketingConsent.State;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.OneByOne;
import io.shopsync.delivery.Target;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.http.TargetResponse;
import io.shopsync.observability.Telemetry;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Shopify's marketing consent webhooks into Klaviyo's consent: {@code SUBSCRIBED} subscribes the profile to
 * e-mail or SMS marketing on the list the operator names ({@code KLAVIYO_LIST_ID}), with Shopify's consent time;
 * {@code UNSUBSCRIBED} unsubscribes it. Every other state (not subscribed, pending double opt-in, redacted,
 * invalid) sends nothing and is {@code delivered}, counted as {@code ConsentNotSynced}: consent is never
 * upgraded from anything but Shopify's explicit SUBSCRIBED, and such a state still moves the consent's
 * watermark, so an older SUBSCRIBED arriving later is stale.
 *
 * <ul>
 *   <li>A consent without an address (an e-mail consent without {@code email_address}, an SMS consent
 *       without {@code phone}) has nobody to subscribe: {@code delivered}, counted {@code ConsentWithoutAddress}.</li>
 *   <li>SMS consent names the profile by its phone alone: Klaviyo refuses that unless the account has SMS
 *       set up, and its 400 dead-letters the consent saying so.</li>
 *   <li>Outcomes as every Klaviyo call: 202 delivered; 429, 5xx or a timeout retry later (not before
 *       Retry-After) and hold back the rest of the batch; another 4xx fails that consent only.</li>
 * </ul>
 */
public final class KlaviyoConsent implements Target {

    private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");

    private final KlaviyoApi api;
    private final Optional<String> listId;
    private final Telemetry telemetry;

    /** @param listId the list subscriptions go to ({@code KLAVIYO_LIST_ID}); empty fails each consent, saying so */
    public KlaviyoConsent(KlaviyoApi api, Optional<String> listId, Telemetry telemetry) {
        this.api = api;
        this.listId = listId.filter(id -> !id.isBlank());
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return Klaviyo.NAME;
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        return OneByOne.deliver(items, this::deliver);
    }

    private DeliveryOutcome deliver(DeliveryItem item) {
        MarketingConsent consent;
        try {
            consent = MarketingConsent.of(item.topic(), item.payload());
        } catch (UnprocessableWebhookException e) {
            return new DeliveryOutcome.PermanentFailure("klaviyo, consent: " + e.getMessage(), "unprocessable");
        }
        if (consent.state() != State.SUBSCRIBED && consent.state() != State.UNSUBSCRIBED) {
            count(item, consent, "ConsentNotSynced", "consent state " + consent.state()
                    + " is neither subscribed nor unsubscribed: nothing sent to Klaviyo");
            return new DeliveryOutcome.Delivered();
        }
        if (consent.address().isEmpty()) {
            count(item, consent, "ConsentWithoutAddress", "consent without "
                    + (consent.channel() == Channel.EMAIL ? "email_address" : "phone") + ": nothing sent to Klaviyo");
            return new DeliveryOutcome.Delivered();
        }
        if (listId.isEmpty()) {
            return new DeliveryOutcome.PermanentFailure("klaviyo, consent of customer " + consent.customerId()
                    + ": KLAVIYO_LIST_ID is not set: set the KlaviyoListId parameter to the list subscribers join,"
                    + " then redrive the dead letters", "configuration");
        }
        String channel = consent.channel() == Channel.EMAIL ? "email" : "sms";
        String field = consent.channel() == Channel.EMAIL ? "email" : "phone_number";
        String address = consent.channel() == Channel.EMAIL
                ? consent.address().get().toLowerCase(java.util.Locale.ROOT) : consent.address().get();
        if (consent.channel() == Channel.SMS && !E164.matcher(address).matches()) {
            return new DeliveryOutcome.PermanentFailure("klaviyo, SMS consent of customer " + consent.customerId()
                    + ": the phone is not in E.164 form, which Klaviyo requires: correct the customer's phone in"
                    + " Shopify (a new consent webhook follows)", "consent-identifier");
        }
        TargetResponse response = consent.state() == State.SUBSCRIBED
                ? api.subscribe(listId.get(), channel, field, address, consent.consentedAt())
                : api.unsubscribe(listId.get(), channel, field, address);
        if (response instanceof TargetResponse.Success) {
            return new DeliveryOutcome.Delivered();
        }
        if (response instanceof TargetResponse.Transient retry) {
            return retry.outcome();
        }
        TargetResponse.Permanent refused = (TargetResponse.Permanent) response;
        String advice = consent.channel() == Channel.SMS && refused.status() == 400
                ? ": Klaviyo refuses SMS consent unless the account has SMS set up; set it up, or stop subscribing"
                        + " customers_marketing_consent/update, then redrive"
                : "";
        return new DeliveryOutcome.PermanentFailure("klaviyo, consent of customer " + consent.customerId() + ": "
                + refused.reason() + advice, refused.category());
    }

    private void count(DeliveryItem item, MarketingConsent consent, String metric, String message) {
        telemetry.line(item.envelope().flow(), message).field("target", name()).field("shop", item.shop())
                .field("topic", item.topic()).field("customerId", consent.customerId())
                .field("webhookId", item.envelope().webhookId()).count(metric).emit();
    }
}
