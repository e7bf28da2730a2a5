package io.shopsync.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code webhooks register} does, worked out before anything changes: every flow's topic to its
 * URL on the stack is wanted; a wanted one that exists is kept, one that does not is missing (to be
 * created), and every other subscription is extra (reported, never deleted by register).
 */
record SubscriptionPlan(List<Wanted> missing, List<Kept> kept, List<Extra> extra) {

    /** One flow topic delivered to the flow's URL on the stack. */
    record Wanted(DeployedFlow flow, String topic, String uri) {
        String topicEnum() {
            return WebhookSubscription.enumOf(topic);
        }
    }

    record Kept(Wanted wanted, WebhookSubscription existing) {}

    record Extra(WebhookSubscription existing, String why) {}

    SubscriptionPlan {
        missing = List.copyOf(missing);
        kept = List.copyOf(kept);
        extra = List.copyOf(extra);
    }

    static List<Wanted> wanted(Map<DeployedFlow, String> urls) {
        List<Wanted> wanted = new ArrayList<>();
        for (DeployedFlow flow : DeployedFlow.ALL) {
            String uri = urls.get(flow);
            if (uri != null) {
                flow.topics().forEach(topic -> wanted.add(new Wanted(flow, topic, uri)));
            }
        }
        return wanted;
    }

    static SubscriptionPlan of(Map<DeployedFlow, String> urls, List<WebhookSubscription> existing) {
        List<Wanted> wanted = wanted(urls);
        List<Wanted> missing = new ArrayList<>();
        List<Kept> kept = new ArrayList<>();
        // Identity, not equality: two subscriptions alike in every field are still two.
        Set<WebhookSubscription> used = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Wanted want : wanted) {
            Optional<WebhookSubscription> match = existing.stream().filter(s -> !used.contains(s))
                    .filter(s -> s.topic().equals(want.topicEnum()) && s.pointsAt(want.uri())).findFirst();
            if (match.isPresent()) {
                used.add(match.get());
                kept.add(new Kept(want, match.get()));
            } else {
                missing.add(want);
            }
        }
        List<Extra> extra = new ArrayList<>();
        for (WebhookSubscription subscription : existing) {
            if (!used.contains(subscription)) {
                extra.add(new Extra(subscription, why(subscription, wanted, urls)));
            }
        }
        return new SubscriptionPlan(missing, kept, extra);
    }

    private static String why(WebhookSubscription subscription, List<Wanted> wanted, Map<DeployedFlow, String> urls) {
        Optional<Wanted> sameTopic = wanted.stream().filter(w -> w.topicEnum().equals(subscription.topic())).findFirst();
        Optional<DeployedFlow> atStack = urls.entrySet().stream()
                .filter(e -> subscription.pointsAt(e.getValue())).map(Map.Entry::getKey).findFirst();
        if (sameTopic.isPresent() && atStack.isPresent()) {
            return sameTopic.get().flow() == atStack.get()
                    ? "a second subscription for the same topic and URL: Shopify delivers each webhook twice"
                    : "this stack's " + atStack.get().name() + " route, but " + sameTopic.get().flow().name()
                            + " takes this topic (at " + sameTopic.get().uri() + ")";
        }
        if (sameTopic.isPresent()) {
            return "also delivered to a URL that is not this stack's (another stack or app?)";
        }
        if (atStack.isPresent()) {
            return "points at this stack's " + atStack.get().name() + " route, which does not take this topic";
        }
        return "no flow takes this topic";
    }
}
