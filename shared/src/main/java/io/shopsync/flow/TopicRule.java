package io.shopsync.flow;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * What a topic's payload is about.
 *
 * @param entity the entity key: the FIFO group, so the entity's updates are processed in order
 * @param watermark for state topics, the key whose newest applied version is remembered per target,
 *     so an older version is never applied after a newer one; empty for event topics
 * @param versionField where a state topic's payload says its version: {@code updated_at}, or a nested
 *     field such as {@code email_marketing_consent.consent_updated_at} for a state with its own clock
 * @param embedsPerson whether the flow's embedded person ({@link Flow#withPerson}) is read from this topic's
 *     payload and versioned: false for requests about the person (a privacy request names a customer, and
 *     must never write a watermark for them)
 */
public record TopicRule(EntityKey entity, Optional<EntityKey> watermark, String versionField, boolean embedsPerson) {

    public static final String UPDATED_AT = "updated_at";

    public static TopicRule state(EntityKey entity, EntityKey watermark) {
        return state(entity, watermark, UPDATED_AT);
    }

    public static TopicRule state(EntityKey entity, EntityKey watermark, String versionField) {
        return new TopicRule(entity, Optional.of(watermark), versionField, true);
    }

    public static TopicRule event(EntityKey entity) {
        return new TopicRule(entity, Optional.empty(), UPDATED_AT, true);
    }

    /** A request about a person or a shop (a privacy request): deduplicated, never stale, no person versioned. */
    public static TopicRule request(EntityKey entity) {
        return new TopicRule(entity, Optional.empty(), UPDATED_AT, false);
    }

    /** The version of a payload of this topic, read from {@link #versionField}. */
    public EntityVersion version(JsonNode payload, Instant triggeredAt) {
        return EntityVersion.of(payload, versionField, triggeredAt);
    }
}
