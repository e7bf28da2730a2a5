package io.shopsync.connectors.shopify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code webhooks register} and the reconciler's check work out before anything changes: every flow's
 * topic to the flow's URL is wanted; a wanted one that exists is kept, one that does not is missing (to be
 * created), and every other subscription is extra (reported, never deleted).
 */
public record SubscriptionPlan(List<Wanted> missing, List<Kept> kept, List<Extra> extra) {

    /**
     * One flow topic delivered to the flow's URL.
     *
     * @param flow the flow's name ({@code order-to-crm})
     * @param topic as the flow names it ({@code orders/create})
     * @param uri the flow's HTTPS webhook URL ({@code https://<api>/webhooks/orders})
     */
    public record Wanted(String flow, String topic, String uri) {
        public String topicEnum() {
            return WebhookSubscription.enumOf(topic);
        }
    }

    public record Kept(Wanted wanted, WebhookSubscription existing) {}

    public record Extra(WebhookSubscription existing, String why) {}

    public SubscriptionPlan {
        missing = List.copyOf(missing);
        kept = List.copyOf(kept);
        extra = List.copyOf(extra);
    }

    /** Each of a flow's topics, to its URL. */
    public static List<Wanted> wanted(String flow, Collection<String> topics, String uri) {
        return topics.stream().map(topic -> new Wanted(flow, topic, uri)).toList();
    }

    public static SubscriptionPlan of(List<Wanted> wanted, List<WebhookSubscription> existing) {
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
        Map<String, String> urls = new LinkedHashMap<>();
        wanted.forEach(w -> urls.putIfAbsent(w.flow(), w.uri()));
        List<Extra> extra = new ArrayList<>();
        for (WebhookSubscription subscription : existing) {
            if (!used.contains(subscription)) {
                extra.add(new Extra(subscription, why(subscription, wanted, urls)));
            }
        }
        return new SubscriptionPlan(missing, kept, extra);
    }

    /** The existing subscriptions of a wanted topic that deliver somewhere other than its URL. */
    public List<WebhookSubscription> elsewhere(Wanted wanted) {
        return extra.stream().map(Extra::existing).filter(s -> s.topic().equals(wanted.topicEnum()))
                .filter(s -> !s.pointsAt(wanted.uri())).toList();
    }

    private static String why(WebhookSubscription subscription, List<Wanted> wanted, Map<String, String> urls) {
        Optional<Wanted> sameTopic = wanted.stream().filter(w -> w.topicEnum().equals(subscription.topic())).findFirst();
        Optional<String> atStack = urls.entrySet().stream()
                .filter(e -> subscription.pointsAt(e.getValue())).map(Map.Entry::getKey).findFirst();
        if (sameTopic.isPresent() && atStack.isPresent()) {
            return sameTopic.get().flow().equals(atStack.get())
                    ? "a second subscription for the same topic and URL: Shopify delivers each webhook twice"
                    : "this stack's " + atStack.get() + " route, but " + sameTopic.get().flow()
                            + " takes this topic (at " + sameTopic.get().uri() + ")";
        }
        if (sameTopic.isPresent()) {
            return "also delivered to a URL that is not this stack's (another stack or app?)";
        }
        if (atStack.isPresent()) {
            return "points at this stack's " + atStack.get() + " route, which does not take this topic";
        }
        return "no flow takes this topic";
    }
}
