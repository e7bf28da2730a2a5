package io.shopsync.flow;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The version of an entity's state: the payload's {@code updated_at}, with X-Shopify-Triggered-At
 * breaking ties between deliveries of the same second. Ordered, and written in a fixed-width text
 * form whose string order is the version order (so DynamoDB can compare it in a condition).
 */
public record EntityVersion(Instant updatedAt, Instant triggeredAt) implements Comparable<EntityVersion> {

    private static final Instant NONE = Instant.EPOCH;

    /**
     * The version of a payload; without {@code updated_at}, the delivery's triggered-at stands in.
     *
     * @throws UnprocessableWebhookException when {@code updated_at} is present but not a timestamp
     */
    public static EntityVersion of(JsonNode payload, Instant triggeredAt) {
        return of(payload, TopicRule.UPDATED_AT, triggeredAt);
    }

    /**
     * The version a payload gives in {@code field} (dot-separated for a nested field); when the field is
     * absent or null, the delivery's triggered-at stands in.
     *
     * @throws UnprocessableWebhookException when the field is present but not a timestamp
     */
    public static EntityVersion of(JsonNode payload, String field, Instant triggeredAt) {
        Instant trigger = triggeredAt == null ? NONE : triggeredAt;
        JsonNode updated = payload;
        for (String name : field.split("\\.")) {
            updated = updated == null ? null : updated.get(name);
        }
        if (updated == null || updated.isNull()) {
            return new EntityVersion(trigger, trigger);
        }
        try {
            return new EntityVersion(OffsetDateTime.parse(updated.asText()).toInstant(), trigger);
        } catch (DateTimeParseException e) {
            throw new UnprocessableWebhookException(field + " is not an ISO-8601 timestamp: " + PayloadValue.describe(updated));
        }
    }

    @Override
    public int compareTo(EntityVersion other) {
        int byUpdate = updatedAt.compareTo(other.updatedAt);
        return byUpdate != 0 ? byUpdate : triggeredAt.compareTo(other.triggeredAt);
    }

    public boolean isNewerThan(EntityVersion other) {
        return compareTo(other) > 0;
    }

    /** Fixed-width, sortable: {@code <updated epoch nanos>:<triggered epoch nanos>}, 19 digits each. */
    public String sortable() {
        return String.format("%019d:%019d", nanos(updatedAt), nanos(triggeredAt));
    }

    public static EntityVersion parseSortable(String text) {
        int colon = text.indexOf(':');
        return new EntityVersion(fromNanos(Long.parseLong(text.substring(0, colon))),
                fromNanos(Long.parseLong(text.substring(colon + 1))));
    }

    private static long nanos(Instant instant) {
        return Math.max(0, instant.getEpochSecond() * 1_000_000_000L + instant.getNano());
    }

    private static Instant fromNanos(long nanos) {
        return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }
}
