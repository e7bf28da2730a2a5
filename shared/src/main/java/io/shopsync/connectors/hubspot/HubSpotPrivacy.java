package io.shopsync.connectors.hubspot;

import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.OneByOne;
import io.shopsync.delivery.Target;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.http.TargetResponse;
import io.shopsync.observability.Telemetry;
import io.shopsync.privacy.PrivacyRequest;
import io.shopsync.privacy.PrivacyTopics;
import java.util.List;

/**
 * Shopify's {@code customers/redact} into HubSpot's GDPR delete of the contact, by e-mail (the key Shopsync
 * creates contacts by). Takes no other privacy topic: a shop's erasure never touches the CRM, and a data request
 * is answered by Shopsync's own report.
 *
 * <p>HubSpot answers 204, also when no contact has the e-mail (it then blocks the address). 429, 5xx or a
 * timeout retry later; another 4xx fails the request into the DLQ with an alert. A customer without an e-mail has
 * no contact Shopsync could have made: delivered, counted {@code RedactWithoutIdentifier}.
 */
public final class HubSpotPrivacy implements Target {

    private final HubSpotApi api;
    private final Telemetry telemetry;

    public HubSpotPrivacy(HubSpotApi api, Telemetry telemetry) {
        this.api = api;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return HubSpotOrders.NAME;
    }

    @Override
    public boolean takes(String topic) {
        return PrivacyTopics.CUSTOMERS_REDACT.equals(topic);
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        return OneByOne.deliver(items, this::deliver);
    }

    private DeliveryOutcome deliver(DeliveryItem item) {
        PrivacyRequest request;
        try {
            request = PrivacyRequest.of(item.topic(), item.payload());
        } catch (UnprocessableWebhookException e) {
            return new DeliveryOutcome.PermanentFailure("hubspot, " + item.topic() + ": " + e.getMessage(), "unprocessable");
        }
        if (request.email().isEmpty()) {
            telemetry.line(item.envelope().flow(), "customers/redact without e-mail: no HubSpot contact to delete")
                    .field("target", name()).field("shop", item.shop()).field("topic", item.topic())
                    .field("customerId", request.customerId().orElse("")).field("webhookId", item.envelope().webhookId())
                    .count("RedactWithoutIdentifier").emit();
            return new DeliveryOutcome.Delivered();
        }
        TargetResponse response = api.gdprDeleteContact(request.email().get());
        if (response instanceof TargetResponse.Success) {
            return new DeliveryOutcome.Delivered();
        }
        if (response instanceof TargetResponse.Transient retry) {
            return retry.outcome();
        }
        TargetResponse.Permanent refused = (TargetResponse.Permanent) response;
        return new DeliveryOutcome.PermanentFailure("hubspot, GDPR delete for " + request + ": " + refused.reason()
                + "; fix the cause (the token needs crm.objects.contacts.write), then redrive: the contact is not yet"
                + " deleted in HubSpot", refused.category());
    }
}
