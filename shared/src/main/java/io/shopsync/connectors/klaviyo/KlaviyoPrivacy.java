package io.shopsync.connectors.klaviyo;

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
 * Shopify's {@code customers/redact} into Klaviyo's data privacy deletion job: the profiles with the customer's
 * e-mail, then those with their phone (Klaviyo takes one identifier per job, and a phone-only SMS profile is
 * another profile). Takes no other privacy topic: a shop's erasure never touches the CRM, and a data request is
 * answered by Shopsync's own report.
 *
 * <p>Outcomes as every Klaviyo call: 202 delivered; 429, 5xx or a timeout retry later (not before Retry-After),
 * and a job already accepted is simply asked for again (Klaviyo deletes what is there); another 4xx fails the
 * request, into the DLQ with an alert. A customer with neither e-mail nor phone has no profile Shopsync could
 * have made: delivered, counted {@code RedactWithoutIdentifier}. A phone not in E.164 form (Shopify's own sample
 * has {@code 555-625-1199}) can name no Klaviyo profile, which keeps phones in E.164: no job by phone, counted
 * {@code RedactPhoneNotE164}.
 */
public final class KlaviyoPrivacy implements Target {

    private static final java.util.regex.Pattern E164 = java.util.regex.Pattern.compile("\\+[1-9]\\d{6,14}");

    private final KlaviyoApi api;
    private final Telemetry telemetry;

    public KlaviyoPrivacy(KlaviyoApi api, Telemetry telemetry) {
        this.api = api;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return Klaviyo.NAME;
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
            return new DeliveryOutcome.PermanentFailure("klaviyo, " + item.topic() + ": " + e.getMessage(), "unprocessable");
        }
        if (request.email().isEmpty() && request.phone().isEmpty()) {
            telemetry.line(item.envelope().flow(), "customers/redact without e-mail or phone: nothing to delete in Klaviyo")
                    .field("target", name()).field("shop", item.shop()).field("topic", item.topic())
                    .field("customerId", request.customerId().orElse("")).field("webhookId", item.envelope().webhookId())
                    .count("RedactWithoutIdentifier").emit();
            return new DeliveryOutcome.Delivered();
        }
        if (request.email().isPresent()) {
            DeliveryOutcome outcome = outcome(request, "email", api.requestProfileDeletion("email", request.email().get()));
            if (outcome != null) {
                return outcome;
            }
        }
        if (request.phone().isPresent() && !E164.matcher(request.phone().get()).matches()) {
            // Klaviyo keeps phone numbers in E.164 and refuses any other form: no profile can have this one.
            telemetry.line(item.envelope().flow(), "customers/redact phone is not E.164: no Klaviyo job by phone")
                    .field("target", name()).field("shop", item.shop()).field("topic", item.topic())
                    .field("customerId", request.customerId().orElse("")).field("webhookId", item.envelope().webhookId())
                    .count("RedactPhoneNotE164").emit();
        } else if (request.phone().isPresent()) {
            DeliveryOutcome outcome = outcome(request, "phone_number",
                    api.requestProfileDeletion("phone_number", request.phone().get()));
            if (outcome != null) {
                return outcome;
            }
        }
        return new DeliveryOutcome.Delivered();
    }

    /** Null when Klaviyo accepted the job. */
    private static DeliveryOutcome outcome(PrivacyRequest request, String field, TargetResponse response) {
        if (response instanceof TargetResponse.Success) {
            return null;
        }
        if (response instanceof TargetResponse.Transient retry) {
            return retry.outcome();
        }
        TargetResponse.Permanent refused = (TargetResponse.Permanent) response;
        return new DeliveryOutcome.PermanentFailure("klaviyo, deletion by " + field + " for " + request + ": "
                + refused.reason() + "; fix the cause (the private key needs the data-privacy:write scope), then"
                + " redrive: the customer is not yet deleted in Klaviyo", refused.category());
    }
}
