package io.shopsync.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One flow's description: its name and, for each Shopify topic it accepts, the rule that says what
 * the payload is about. Immutable; built once per container.
 */
public final class Flow {

    private final String name;
    private final Map<String, TopicRule> topics;
    private final String personField;

    private Flow(String name, Map<String, TopicRule> topics, String personField) {
        this.name = name;
        this.topics = Collections.unmodifiableMap(topics);
        this.personField = personField;
    }

    public static Flow named(String name) {
        if (name == null || !name.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("a flow name is lower-case words joined by '-': " + name);
        }
        return new Flow(name, new LinkedHashMap<>(), null);
    }

    /**
     * Topics whose payload is the entity's latest state: last write wins on {@code updated_at}, so an
     * older version arriving late is skipped as stale.
     */
    public Flow accepts(EntityKey entity, String... topicNames) {
        return with(TopicRule.state(entity, entity), topicNames);
    }

    /**
     * Topics whose payload is the state of a part of the entity (a fulfilment of an order): ordered in
     * the entity's group, last write wins per {@code part}.
     */
    public Flow acceptsParts(EntityKey entity, EntityKey part, String... topicNames) {
        return with(TopicRule.state(entity, part), topicNames);
    }

    /**
     * Topics whose payload is a state with its own clock (a customer's marketing consent, dated by its
     * {@code consent_updated_at}): ordered in the entity's group, last write wins on {@code versionField}
     * under its own {@code watermark}, never compared with the entity's {@code updated_at}.
     */
    public Flow acceptsVersioned(EntityKey entity, EntityKey watermark, String versionField, String... topicNames) {
        return with(TopicRule.state(entity, watermark, versionField), topicNames);
    }

    /** Topics that are events about the entity (a refund), not versions of it: deduplicated, never stale. */
    public Flow acceptsEvents(EntityKey entity, String... topicNames) {
        return with(TopicRule.event(entity), topicNames);
    }

    /**
     * Topics that are requests about a person or a shop (Shopify's privacy webhooks): deduplicated, never stale,
     * and the person they name is never versioned (no watermark is written for someone being erased).
     */
    public Flow acceptsRequests(EntityKey entity, String... topicNames) {
        return with(TopicRule.request(entity), topicNames);
    }

    private Flow with(TopicRule rule, String... topicNames) {
        Map<String, TopicRule> next = new LinkedHashMap<>(topics);
        for (String topic : topicNames) {
            if (next.putIfAbsent(topic, rule) != null) {
                throw new IllegalArgumentException("flow " + name + " declares topic " + topic + " twice");
            }
        }
        return new Flow(name, next, personField);
    }

    /**
     * Payloads of this flow embed the person they belong to as the object {@code field} (an order's
     * {@code customer}, with its own {@code id} and {@code updated_at}). The person is versioned on its
     * own, per target, under the key its own webhooks use ({@code shop/customer/<id>}): an old order's
     * late update carries the customer as the order knew them, and must never overwrite a newer one.
     */
    public Flow withPerson(String field) {
        return new Flow(name, new LinkedHashMap<>(topics), field);
    }

    public Optional<String> personField() {
        return Optional.ofNullable(personField);
    }

    public String name() {
        return name;
    }

    public Set<String> topics() {
        return topics.keySet();
    }

    public Optional<TopicRule> ruleFor(String topic) {
        return Optional.ofNullable(topics.get(topic));
    }

    /** The FIFO group key for a topic, if the flow takes it. */
    public Optional<EntityKey> entityKeyFor(String topic) {
        return ruleFor(topic).map(TopicRule::entity);
    }

    @Override
    public String toString() {
        return name + topics.keySet();
    }
}
