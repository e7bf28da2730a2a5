package io.shopsync.flow;

import java.util.Optional;

/**
 * What a topic's payload is about.
 *
 * @param entity the entity key: the FIFO group, so the entity's updates are processed in order
 * @param watermark for state topics, the key whose newest applied version is remembered per target,
 *     so an older version is never applied after a newer one; empty for event topics
 */
public record TopicRule(EntityKey entity, Optional<EntityKey> watermark) {

    public static TopicRule state(EntityKey entity, EntityKey watermark) {
        return new TopicRule(entity, Optional.of(watermark));
    }

    public static TopicRule event(EntityKey entity) {
        return new TopicRule(entity, Optional.empty());
    }
}
