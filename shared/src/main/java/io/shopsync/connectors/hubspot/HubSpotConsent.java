package io.shopsync.connectors.hubspot;

import io.shopsync.connectors.MarketingConsent;
import io.shopsync.connectors.MarketingConsent.Channel;
import io.shopsync.connectors.MarketingConsent.State;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.OneByOne;
import io.shopsync.delivery.Target;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.observability.Telemetry;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Shopify's e-mail marketing consent into HubSpot's communication preferences: {@code SUBSCRIBED} sets the
 * contact's status for the subscription type the operator names ({@code HUBSPOT_SUBSCRIPTION_TYPE_ID}) to
 * SUBSCRIBED with legal basis {@code CONSENT_WITH_NOTICE}; {@code UNSUBSCRIBED} sets it to UNSUBSCRIBED. Every
 * other state sends nothing and is {@code delivered} ({@code ConsentNotSynced}), so consent is never upgraded
 * from anything but Shopify's explicit SUBSCRIBED.
 *
 * <p>HubSpot's communication preferences know the EMAIL channel only: SMS consent is {@code delivered} with
 * nothing sent, counted as {@code ConsentNotSynced}. Shopsync never writes a contact's marketing-contact status
 * ({@code hs_marketable_status}): a contact created for an order is a marketing contact only if the portal's
 * own rules make it one.
 */
public final class HubSpotConsent implements Target {

    static final String LEGAL_BASIS = "CONSENT_WITH_NOTICE";

    private final HubSpotApi api;
    private final Optional<Long> subscriptionTypeId;
    private final Telemetry telemetry;

    /** @param subscriptionTypeId the subscription type consent is written for; empty fails each consent, saying so */
    public HubSpotConsent(HubSpotApi api, Optional<Long> subscriptionTypeId, Telemetry telemetry) {
        this.api = api;
        this.subscriptionTypeId = subscriptionTypeId;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return HubSpotOrders.NAME;
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
            return new DeliveryOutcome.PermanentFailure("hubspot, consent: " + e.getMessage(), "unprocessable");
        }
        if (consent.channel() != Channel.EMAIL) {
            count(item, consent, "ConsentNotSynced", "SMS consent: HubSpot's communication preferences take e-mail only,"
                    + " nothing sent to HubSpot");
            return new DeliveryOutcome.Delivered();
        }
        if (consent.state() != State.SUBSCRIBED && consent.state() != State.UNSUBSCRIBED) {
            count(item, consent, "ConsentNotSynced", "consent state " + consent.state()
                    + " is neither subscribed nor unsubscribed: nothing sent to HubSpot");
            return new DeliveryOutcome.Delivered();
        }
        if (consent.address().isEmpty()) {
            count(item, consent, "ConsentWithoutAddress", "consent without email_address: nothing sent to HubSpot");
            return new DeliveryOutcome.Delivered();
        }
        if (subscriptionTypeId.isEmpty()) {
            return new DeliveryOutcome.PermanentFailure("hubspot, consent of customer " + consent.customerId()
                    + ": HUBSPOT_SUBSCRIPTION_TYPE_ID is not set: set the HubSpotSubscriptionTypeId parameter to the"
                    + " id of the marketing subscription type (Settings > Marketing > Email > Subscriptions), then"
                    + " redrive the dead letters", "configuration");
        }
        String explanation = "Shopify customer " + consent.customerId() + " email marketing consent "
                + consent.state().name().toLowerCase(Locale.ROOT)
                + consent.optInLevel().map(level -> " (" + level + ")").orElse("")
                + consent.consentedAt().map(at -> " at " + at).orElse("");
        DeliveryOutcome failed = HubSpotOrders.failure(api.writeSubscriptionStatus(
                        consent.address().get().toLowerCase(Locale.ROOT), subscriptionTypeId.get(),
                        consent.state().name(), LEGAL_BASIS, explanation),
                "writing the contact's subscription status", "consent");
        return failed == null ? new DeliveryOutcome.Delivered() : failed;
    }

    private void count(DeliveryItem item, MarketingConsent consent, String metric, String message) {
        telemetry.line(item.envelope().flow(), message).field("target", name()).field("shop", item.shop())
                .field("topic", item.topic()).field("customerId", consent.customerId())
                .field("webhookId", item.envelope().webhookId()).count(metric).emit();
    }
}
