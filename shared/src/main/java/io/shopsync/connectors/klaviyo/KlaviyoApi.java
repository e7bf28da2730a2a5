package io.shopsync.connectors.klaviyo;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.http.ErrorCodes;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Klaviyo's server-side API as the connectors use it: JSON:API bodies, a pinned {@code revision}, the
 * private key from Secrets Manager (reloaded once after a 401 or 403, so a rotated key needs no
 * redeploy), and Klaviyo's own hints read from its answer where {@link TargetHttp} cannot know them:
 * the wait in a 429's {@code detail} when there is no Retry-After, and a 409 {@code duplicate_profile},
 * which no retry can fix. Reasons quote only the answer's codes and {@code source.pointer}s.
 */
public final class KlaviyoApi {

    public static final String DEFAULT_BASE_URL = "https://a.klaviyo.com";
    public static final String REVISION = "2026-10-15";
    public static final String MEDIA_TYPE = "application/vnd.api+json";
    /** Bulk Create Events takes at most 1,000 events per request... */
    public static final int BULK_EVENT_LIMIT = 1_000;
    /** ...and 5 MB; we stay below with room for the envelope. */
    public static final int BULK_BYTE_LIMIT = 4_500_000;

    static final String PROFILE_IMPORT = "/api/profile-import";
    static final String EVENTS = "/api/events";
    static final String EVENT_BULK_CREATE_JOBS = "/api/event-bulk-create-jobs";
    static final String SUBSCRIBE_JOBS = "/api/profile-subscription-bulk-create-jobs";
    static final String UNSUBSCRIBE_JOBS = "/api/profile-subscription-bulk-delete-jobs";
    static final String DELETION_JOBS = "/api/data-privacy-deletion-jobs";

    private static final Pattern THROTTLED = Pattern.compile("Expected available in (\\d+) seconds?");

    private final TargetHttp http;
    private final String baseUrl;
    private final CachedSecret apiKey;
    private final ObjectMapper json;
    private final ObjectWriter writer;
    private final Clock clock;

    public KlaviyoApi(TargetHttp http, String baseUrl, CachedSecret apiKey, ObjectMapper json, Clock clock) {
        this.http = http;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.json = json;
        // Amounts are exact decimals; written plain (100, not 1E+2).
        this.writer = json.writer().with(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        this.clock = clock;
    }

    /**
     * One event of a profile: the metric's name, its {@code unique_id}, and its other attributes
     * ({@code properties}, and optionally {@code value}, {@code value_currency}, {@code time}).
     */
    public record Event(String metric, String uniqueId, ObjectNode attributes) {}

    /** The events of one profile in a bulk request; {@code identity} holds the profile's identifiers. */
    public record ProfileEvents(ObjectNode identity, List<Event> events) {}

    /**
     * {@code POST /api/profile-import}: creates the profile or updates the attributes given (200 or 201).
     * A 409 {@code duplicate_profile} (the identifiers belong to different profiles) comes back
     * {@link TargetResponse.Permanent}: repeating the same request cannot succeed.
     */
    public TargetResponse importProfile(ObjectNode attributes) {
        ObjectNode body = json.createObjectNode();
        ObjectNode data = body.putObject("data");
        data.put("type", "profile");
        data.set("attributes", attributes);
        TargetResponse response = post(PROFILE_IMPORT, body);
        if (response instanceof TargetResponse.Transient retry && isDuplicateProfile(retry.reason())) {
            return new TargetResponse.Permanent(409, retry.reason(), retry.answer());
        }
        return response;
    }

    /** {@code POST /api/events}: one event (202, no body), deduplicated by Klaviyo per profile, metric and unique_id. */
    public TargetResponse createEvent(ObjectNode identity, Event event) {
        ObjectNode body = json.createObjectNode();
        ObjectNode data = body.putObject("data");
        data.put("type", "event");
        ObjectNode attributes = eventAttributes(event);
        attributes.set("profile", profile(identity));
        data.set("attributes", attributes);
        return post(EVENTS, body);
    }

    /**
     * {@code POST /api/event-bulk-create-jobs}: up to {@link #BULK_EVENT_LIMIT} events grouped per
     * profile (202, no body). Klaviyo validates the request and processes the job later; each event's
     * unique_id still deduplicates.
     */
    public TargetResponse createEvents(List<ProfileEvents> groups) {
        ObjectNode body = json.createObjectNode();
        ObjectNode job = body.putObject("data");
        job.put("type", "event-bulk-create-job");
        ArrayNode entries = job.putObject("attributes").putObject("events-bulk-create").putArray("data");
        for (ProfileEvents group : groups) {
            ObjectNode entry = entries.addObject();
            entry.put("type", "event-bulk-create");
            ObjectNode attributes = entry.putObject("attributes");
            attributes.set("profile", profile(group.identity()));
            ArrayNode events = attributes.putObject("events").putArray("data");
            for (Event event : group.events()) {
                ObjectNode node = events.addObject();
                node.put("type", "event");
                node.set("attributes", eventAttributes(event));
            }
        }
        return post(EVENT_BULK_CREATE_JOBS, body);
    }

    /**
     * {@code POST /api/profile-subscription-bulk-create-jobs} (202, processed later): subscribes one profile
     * to marketing on {@code channel} ({@code email} or {@code sms}) and adds it to {@code listId}. With a
     * consent time it is sent as a historical import ({@code historical_import}, {@code consented_at}, which
     * Klaviyo requires to be in the past): the consent was given in Shopify, so no double opt-in message
     * and no "Added to list" flow is started again.
     *
     * @param identifierField {@code email} or {@code phone_number} (E.164)
     */
    public TargetResponse subscribe(String listId, String channel, String identifierField, String identifier,
                                    Optional<Instant> consentedAt) {
        ObjectNode marketing = json.createObjectNode().put("consent", "SUBSCRIBED");
        Optional<Instant> past = consentedAt.filter(at -> at.isBefore(clock.instant()));
        past.ifPresent(at -> marketing.put("consented_at", at.toString()));
        ObjectNode body = subscriptionJob("profile-subscription-bulk-create-job", listId, channel, identifierField,
                identifier, marketing);
        ObjectNode attributes = (ObjectNode) body.path("data").path("attributes");
        attributes.put("custom_source", "Shopify");
        if (past.isPresent()) {
            attributes.put("historical_import", true);
        }
        return post(SUBSCRIBE_JOBS, body);
    }

    /**
     * {@code POST /api/profile-subscription-bulk-delete-jobs} (202): unsubscribes one profile from marketing on
     * {@code channel} and removes it from {@code listId} (Klaviyo unsubscribes a profile that is not on the
     * list globally, which is what an unsubscribe in Shopify means).
     */
    public TargetResponse unsubscribe(String listId, String channel, String identifierField, String identifier) {
        return post(UNSUBSCRIBE_JOBS, subscriptionJob("profile-subscription-bulk-delete-job", listId, channel,
                identifierField, identifier, json.createObjectNode().put("consent", "UNSUBSCRIBED")));
    }

    /**
     * {@code POST /api/data-privacy-deletion-jobs} (202, processed later): deletes every profile that has this
     * identifier, as a GDPR deletion. Klaviyo takes exactly one identifier per job.
     *
     * @param identifierField {@code email}, {@code phone_number} or {@code id}
     */
    public TargetResponse requestProfileDeletion(String identifierField, String identifier) {
        ObjectNode body = json.createObjectNode();
        ObjectNode job = body.putObject("data");
        job.put("type", "data-privacy-deletion-job");
        ObjectNode profile = job.putObject("attributes").putObject("profile").putObject("data");
        profile.put("type", "profile");
        profile.putObject("attributes").put(identifierField, identifier);
        return post(DELETION_JOBS, body);
    }

    private ObjectNode subscriptionJob(String type, String listId, String channel, String identifierField,
                                       String identifier, ObjectNode marketing) {
        ObjectNode body = json.createObjectNode();
        ObjectNode job = body.putObject("data");
        job.put("type", type);
        ObjectNode profile = job.putObject("attributes").putObject("profiles").putArray("data").addObject();
        profile.put("type", "profile");
        ObjectNode attributes = profile.putObject("attributes");
        attributes.put(identifierField, identifier);
        attributes.putObject("subscriptions").putObject(channel).set("marketing", marketing);
        ObjectNode list = job.putObject("relationships").putObject("list").putObject("data");
        list.put("type", "list");
        list.put("id", listId);
        return body;
    }

    /** The size an event adds to a bulk request, for keeping requests under {@link #BULK_BYTE_LIMIT}. */
    int sizeOf(Event event) {
        return write(eventAttributes(event)).length() + 120;
    }

    private ObjectNode eventAttributes(Event event) {
        ObjectNode attributes = json.createObjectNode();
        ObjectNode metric = attributes.putObject("metric").putObject("data");
        metric.put("type", "metric");
        metric.putObject("attributes").put("name", event.metric());
        attributes.setAll(event.attributes());
        if (!attributes.has("properties")) {
            attributes.putObject("properties");
        }
        attributes.put("unique_id", event.uniqueId());
        return attributes;
    }

    private ObjectNode profile(ObjectNode identity) {
        ObjectNode profile = json.createObjectNode();
        ObjectNode data = profile.putObject("data");
        data.put("type", "profile");
        data.set("attributes", identity);
        return profile;
    }

    private TargetResponse post(String path, ObjectNode body) {
        String text = write(body);
        TargetResponse response = send(path, text);
        if (isRejectedKey(response) && apiKey.refreshAfterRejection()) {
            response = send(path, text);
        }
        if (isRejectedKey(response)) {
            return rejectedKey(path, (TargetResponse.Permanent) response);
        }
        if (response instanceof TargetResponse.Transient retry && retry.notBefore().isEmpty()) {
            Optional<Instant> hinted = throttledUntil(retry.answer(), clock.instant());
            if (hinted.isPresent()) {
                return new TargetResponse.Transient(retry.reason(), hinted, retry.answer());
            }
        }
        return response;
    }

    private TargetResponse send(String path, String body) {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Klaviyo-API-Key " + apiKey.get())
                .header("revision", REVISION)
                .header("Content-Type", MEDIA_TYPE)
                .header("Accept", MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private String write(ObjectNode node) {
        try {
            return writer.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a Klaviyo request", e);
        }
    }

    private static boolean isRejectedKey(TargetResponse response) {
        return response instanceof TargetResponse.Permanent permanent
                && (permanent.status() == 401 || permanent.status() == 403);
    }

    private TargetResponse.Permanent rejectedKey(String path, TargetResponse.Permanent response) {
        String codes = ErrorCodes.of(response.answer());
        String said = codes.isEmpty() ? "" : " (" + codes + ")";
        // Consent's subscription jobs also need lists:write and subscriptions:write.
        String scopes = path.startsWith("/api/profile-subscription-")
                ? "profiles:write, lists:write and subscriptions:write"
                : DELETION_JOBS.equals(path) ? "data-privacy:write" : "profiles:write and events:write";
        String advice = response.status() == 401
                ? "Klaviyo rejected the private key from " + apiKey.description() + " (reloaded at most once a minute): "
                        + "rotate the Klaviyo private key in Secrets Manager (a private key with the " + scopes
                        + " scopes), then redrive the dead letters"
                : "the Klaviyo private key from " + apiKey.description() + " lacks a scope this request needs: "
                        + "rotate the Klaviyo private key in Secrets Manager to one with the " + scopes
                        + " scopes, then redrive the dead letters";
        return new TargetResponse.Permanent(response.status(),
                http.target() + " POST " + path + " answered " + response.status() + said + ": " + advice);
    }

    /** Klaviyo's 429 says when to come back in its detail ("Expected available in 3 seconds."). */
    static Optional<Instant> throttledUntil(String answer, Instant now) {
        Matcher m = THROTTLED.matcher(answer);
        return m.find() ? Optional.of(now.plusSeconds(Long.parseLong(m.group(1)))) : Optional.empty();
    }

    private static boolean isDuplicateProfile(String reason) {
        return reason.contains(" answered 409") && reason.contains("duplicate_profile");
    }
}
