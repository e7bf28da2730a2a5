package io.shopsync.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One target (one name in delivery records, metrics and alerts) whose topics are handled by two connectors:
 * the items of {@code topics} go to {@code forTopics}, every other item to {@code rest}; the outcomes come
 * back in the items' order. A flow's optional topics (marketing consent) thus get their own connector
 * without changing the one the flow's main topics use.
 */
public final class TopicRoutedTarget implements Target {

    private final Target rest;
    private final Set<String> topics;
    private final Target forTopics;

    public TopicRoutedTarget(Target rest, Set<String> topics, Target forTopics) {
        if (!rest.name().equals(forTopics.name())) {
            throw new IllegalArgumentException("targets routed by topic must share one name: " + rest.name()
                    + " and " + forTopics.name());
        }
        this.rest = rest;
        this.topics = Set.copyOf(topics);
        this.forTopics = forTopics;
    }

    @Override
    public String name() {
        return rest.name();
    }

    @Override
    public boolean carriesEvents(String topic) {
        return topics.contains(topic) ? forTopics.carriesEvents(topic) : rest.carriesEvents(topic);
    }

    @Override
    public boolean takes(String topic) {
        return topics.contains(topic) ? forTopics.takes(topic) : rest.takes(topic);
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        List<DeliveryItem> routed = items.stream().filter(item -> topics.contains(item.topic())).toList();
        List<DeliveryItem> others = items.stream().filter(item -> !topics.contains(item.topic())).toList();
        List<DeliveryOutcome> routedOutcomes = routed.isEmpty() ? List.of() : checked(forTopics, routed);
        List<DeliveryOutcome> otherOutcomes = others.isEmpty() ? List.of() : checked(rest, others);
        List<DeliveryOutcome> outcomes = new ArrayList<>(items.size());
        int r = 0;
        int o = 0;
        for (DeliveryItem item : items) {
            outcomes.add(topics.contains(item.topic()) ? routedOutcomes.get(r++) : otherOutcomes.get(o++));
        }
        return outcomes;
    }

    private static List<DeliveryOutcome> checked(Target target, List<DeliveryItem> items) {
        List<DeliveryOutcome> outcomes = target.deliver(items);
        if (outcomes == null || outcomes.size() != items.size() || outcomes.stream().anyMatch(Objects::isNull)) {
            throw new IllegalStateException("target " + target.name() + " answered "
                    + (outcomes == null ? "null" : outcomes.size()) + " outcomes for " + items.size() + " items");
        }
        return outcomes;
    }
}
