package io.shopsync.testing;

import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.Target;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A target that keeps every item it accepted (its "effects") and answers as scripted: by default
 * delivered; queued outcomes first, then a rule per item.
 */
public final class FakeTarget implements Target {

    private final String name;
    public final List<DeliveryItem> effects = new ArrayList<>();
    public final List<List<DeliveryItem>> calls = new ArrayList<>();
    private final Deque<DeliveryOutcome> scripted = new ArrayDeque<>();
    private Function<DeliveryItem, DeliveryOutcome> rule = item -> new DeliveryOutcome.Delivered();
    private RuntimeException thrown;
    private java.util.Set<String> eventTopics = java.util.Set.of();

    public FakeTarget(String name) {
        this.name = name;
    }

    /** The next items get these outcomes, in order (one per item), before the rule applies again. */
    public synchronized FakeTarget thenAnswer(DeliveryOutcome... outcomes) {
        scripted.addAll(List.of(outcomes));
        return this;
    }

    public synchronized FakeTarget always(Function<DeliveryItem, DeliveryOutcome> answer) {
        this.rule = answer;
        return this;
    }

    public synchronized FakeTarget throwing(RuntimeException exception) {
        this.thrown = exception;
        return this;
    }

    /** These topics carry events only they carry (as orders/create carries Klaviyo's Placed Order). */
    public synchronized FakeTarget carryingEventsOf(String... topics) {
        this.eventTopics = java.util.Set.of(topics);
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized boolean carriesEvents(String topic) {
        return eventTopics.contains(topic);
    }

    @Override
    public synchronized List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        calls.add(List.copyOf(items));
        if (thrown != null) {
            throw thrown;
        }
        List<DeliveryOutcome> outcomes = new ArrayList<>();
        for (DeliveryItem item : items) {
            DeliveryOutcome outcome = scripted.isEmpty() ? rule.apply(item) : scripted.poll();
            if (outcome instanceof DeliveryOutcome.Delivered) {
                effects.add(item);
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    public synchronized List<String> effectTopics() {
        return effects.stream().map(DeliveryItem::topic).toList();
    }
}
