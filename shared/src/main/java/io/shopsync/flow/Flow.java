package io.shopsync.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One flow's description: its name and, for each Shopify topic it accepts, how to find the entity
 * a payload is about. Immutable; built once per container.
 */
public final class Flow {

    private final String name;
    private final Map<String, EntityKey> topics;

    private Flow(String name, Map<String, EntityKey> topics) {
        this.name = name;
        this.topics = Collections.unmodifiableMap(topics);
    }

    public static Flow named(String name) {
        if (name == null || !name.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("a flow name is lower-case words joined by '-': " + name);
        }
        return new Flow(name, new LinkedHashMap<>());
    }

    /** A copy of this flow that also accepts these topics, whose entity is found by {@code entity}. */
    public Flow accepts(EntityKey entity, String... topicNames) {
        Map<String, EntityKey> next = new LinkedHashMap<>(topics);
        for (String topic : topicNames) {
            if (next.putIfAbsent(topic, entity) != null) {
                throw new IllegalArgumentException("flow " + name + " declares topic " + topic + " twice");
            }
        }
        return new Flow(name, next);
    }

    public String name() {
        return name;
    }

    public Set<String> topics() {
        return topics.keySet();
    }

    public Optional<EntityKey> entityKeyFor(String topic) {
        return Optional.ofNullable(topics.get(topic));
    }

    @Override
    public String toString() {
        return name + topics.keySet();
    }
}
