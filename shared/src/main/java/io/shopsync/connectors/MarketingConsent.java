package io.shopsync.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.flow.WebhookRoutes;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * A customer's marketing consent as Shopify's consent webhooks carry it (since API 2025-01 no other payload
 * does): {@code customers_email_marketing_consent/update} is
 * {@code {customer_id, email_address, email_marketing_consent{state, opt_in_level, consent_updated_at}}};
 * {@code customers_marketing_consent/update} (SMS) is
 * {@code {id, phone, sms_marketing_consent{state, opt_in_level, consent_updated_at, consent_collected_from}}}.
 *
 * @param address the e-mail address or phone number the consent is about; empty when Shopify sent none
 * @param consentedAt {@code consent_updated_at}, when Shopify has one
 */
public record MarketingConsent(Channel channel, String customerId, Optional<String> address, State state,
                               Optional<String> optInLevel, Optional<Instant> consentedAt) {

    public enum Channel { EMAIL, SMS }

    /**
     * Shopify's states. Only {@link #SUBSCRIBED} ever subscribes and only {@link #UNSUBSCRIBED} ever
     * unsubscribes; the others (never asked, awaiting double opt-in, erased, undeliverable, or a state this
     * code does not know) change nothing in a target.
     */
    public enum State { SUBSCRIBED, UNSUBSCRIBED, NOT_SUBSCRIBED, PENDING, REDACTED, INVALID, UNKNOWN }

    /** Whether the topic is one of Shopify's consent topics. */
    public static boolean isConsentTopic(String topic) {
        return WebhookRoutes.CONSENT_TOPICS.contains(topic);
    }

    /**
     * The consent a consent webhook carries.
     *
     * @throws UnprocessableWebhookException when the topic is not a consent topic, or the payload lacks the
     *     customer's id or the consent object
     */
    public static MarketingConsent of(String topic, JsonNode payload) {
        boolean email = WebhookRoutes.EMAIL_CONSENT_TOPIC.equals(topic);
        if (!email && !WebhookRoutes.SMS_CONSENT_TOPIC.equals(topic)) {
            throw new UnprocessableWebhookException("topic " + topic + " carries no marketing consent");
        }
        String consentField = email ? "email_marketing_consent" : "sms_marketing_consent";
        String customerId = EntityKeys.id(payload, email ? "customer_id" : "id");
        JsonNode consent = payload.get(consentField);
        if (consent == null || !consent.isObject()) {
            throw new UnprocessableWebhookException("payload has no " + consentField + " object");
        }
        JsonNode address = payload.get(email ? "email_address" : "phone");
        return new MarketingConsent(email ? Channel.EMAIL : Channel.SMS, customerId,
                address == null || !address.isTextual() || address.asText().isBlank()
                        ? Optional.empty() : Optional.of(address.asText().trim()),
                state(consent.get("state")), text(consent.get("opt_in_level")),
                timestamp(consent.get("consent_updated_at"), consentField));
    }

    private static State state(JsonNode state) {
        if (state == null || !state.isTextual()) {
            return State.UNKNOWN;
        }
        try {
            return State.valueOf(state.asText().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return State.UNKNOWN;
        }
    }

    private static Optional<String> text(JsonNode node) {
        return node == null || !node.isTextual() ? Optional.empty() : Optional.of(node.asText());
    }

    private static Optional<Instant> timestamp(JsonNode node, String consentField) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(node.asText()).toInstant());
        } catch (DateTimeParseException e) {
            throw new UnprocessableWebhookException(consentField + ".consent_updated_at is not an ISO-8601 timestamp");
        }
    }
}
