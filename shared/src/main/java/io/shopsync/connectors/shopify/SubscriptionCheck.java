package io.shopsync.connectors.shopify;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Does a shop deliver every topic the flows need to the flows' URLs? Lists the shop's webhook subscriptions
 * and compares them with what is expected ({@link SubscriptionPlan}): a topic with no subscription to its URL
 * is a gap, whether it was never registered or Shopify deleted it after repeated failed deliveries (it
 * deletes subscriptions created through the Admin API; the list no longer has them), and whether or not
 * another subscription of the topic delivers elsewhere. Asked to repair, it registers each gap exactly as
 * {@code scripts/shopsync webhooks register} does (the command runs this check): webhookSubscriptionCreate
 * with the URL and format JSON, nothing deleted. Extra subscriptions are reported, never touched.
 *
 * <p>The reconciler runs it per shop: {@link Result.Checked#missing()} is the SubscriptionsMissing metric, and
 * {@link Result#alert()} an alert of flows, topics, ids and field names only (never a URL: another app's may
 * carry a credential; never a token).
 */
public final class SubscriptionCheck {

    private final AdminGraphql graphql;
    private final AdminGraphql.Waiter waiter;
    private final Consumer<String> progress;

    /** @param waiter waits before another attempt when Shopify throttles or fails (a Lambda: a plain sleep) */
    public SubscriptionCheck(AdminGraphql graphql, AdminGraphql.Waiter waiter) {
        this(graphql, waiter, line -> { });
    }

    /** @param progress told how a long listing goes (the CLI prints it) */
    public SubscriptionCheck(AdminGraphql graphql, AdminGraphql.Waiter waiter, Consumer<String> progress) {
        this.graphql = graphql;
        this.waiter = waiter;
        this.progress = progress;
    }

    /** A wanted topic without a subscription to its URL. */
    public record Gap(SubscriptionPlan.Wanted wanted, List<WebhookSubscription> elsewhere) {
        public Gap {
            elsewhere = List.copyOf(elsewhere);
        }

        /** Another subscription of the topic delivers to a URL that is not the flow's. */
        public boolean pointsElsewhere() {
            return !elsewhere.isEmpty();
        }

        String describe() {
            return wanted.flow() + " " + wanted.topicEnum() + ": " + (pointsElsewhere()
                    ? "delivered elsewhere only (subscription " + elsewhere.stream().map(WebhookSubscription::shortId)
                            .collect(Collectors.joining(", ")) + ")"
                    : "missing");
        }
    }

    /** What re-registering a gap came to: {@link WebhookSubscriptions.Change.Done} with the new id, or why not. */
    public record Repair(Gap gap, WebhookSubscriptions.Change change) {
        public boolean done() {
            return change instanceof WebhookSubscriptions.Change.Done;
        }

        String describe() {
            if (change instanceof WebhookSubscriptions.Change.Done created) {
                return "re-registered as subscription " + created.id().substring(created.id().lastIndexOf('/') + 1);
            }
            if (change instanceof WebhookSubscriptions.Change.Refused refused) {
                return "Shopify refused to re-register it" + (refused.fields().isEmpty() ? ""
                        : " (userErrors on " + String.join(", ", refused.fields()) + ")");
            }
            return "re-registering it failed: " + ((WebhookSubscriptions.Change.Failed) change).failure().getMessage();
        }
    }

    /** What the check found, and did. */
    public sealed interface Result {
        String shop();

        /** One alert's text when something needs a person, else empty: flows, topics, ids and field names only. */
        String alert();

        /**
         * The shop's subscriptions were listed and compared.
         *
         * @param existing how many subscriptions the shop has (the app's)
         * @param gaps wanted topics without a subscription to their URL, found before any repair
         * @param repairs one per gap when asked to repair (in the order of {@code gaps}), else none
         */
        record Checked(String shop, int existing, SubscriptionPlan plan, List<Gap> gaps, List<Repair> repairs)
                implements Result {
            public Checked {
                gaps = List.copyOf(gaps);
                repairs = List.copyOf(repairs);
            }

            /** Gaps found: the SubscriptionsMissing metric. */
            public int missing() {
                return gaps.size();
            }

            /** Gaps still open after this run: not repaired, or the repair failed. */
            public List<Gap> open() {
                List<Gap> open = new ArrayList<>(gaps);
                repairs.stream().filter(Repair::done).forEach(repair -> open.remove(repair.gap()));
                return open;
            }

            @Override
            public String alert() {
                if (gaps.isEmpty()) {
                    return "";
                }
                int wanted = plan.kept().size() + plan.missing().size();
                List<String> lines = new ArrayList<>();
                for (Gap gap : gaps) {
                    String repaired = repairs.stream().filter(r -> r.gap().equals(gap)).findFirst()
                            .map(r -> "; " + r.describe()).orElse("");
                    lines.add(gap.describe() + repaired);
                }
                String next = open().isEmpty()
                        ? "Deliveries made while they were missing were lost: the reconciler queues what it finds "
                                + "changed; for an older gap run scripts/shopsync reconcile --shop " + shop + " --since DATE."
                        : repairs.isEmpty()
                                ? "Register them: scripts/shopsync webhooks register --shop " + shop + " --stack NAME (or "
                                        + "deploy with ReconcileRepairSubscriptions=true). Shopify deletes a subscription "
                                        + "after repeated failed deliveries: check the flow's intake errors first."
                                : "Fix what Shopify refused, then run scripts/shopsync webhooks register --shop " + shop
                                        + " --stack NAME.";
                return "shop " + shop + ": " + gaps.size() + " of " + wanted + " webhook subscriptions the flows need "
                        + "are missing or point elsewhere: " + String.join("; ", lines) + ". " + next;
            }
        }

        /** The subscriptions could not be listed: nothing was compared, nothing changed. */
        record Failed(String shop, AdminGraphqlFailure failure) implements Result {
            @Override
            public String alert() {
                return "shop " + shop + ": the webhook subscriptions could not be checked: " + failure.getMessage()
                        + ". The next run checks again.";
            }
        }
    }

    /**
     * Compares the shop's subscriptions with {@code expected} and, when {@code repair}, registers each gap.
     *
     * @param expected each flow's topics to the flow's URL ({@link SubscriptionPlan#wanted})
     */
    public Result check(String shop, List<SubscriptionPlan.Wanted> expected, boolean repair) {
        WebhookSubscriptions subscriptions = new WebhookSubscriptions(graphql, shop, waiter, progress);
        List<WebhookSubscription> existing;
        try {
            existing = subscriptions.list();
        } catch (AdminGraphqlFailure e) {
            return new Result.Failed(shop, e);
        }
        SubscriptionPlan plan = SubscriptionPlan.of(expected, existing);
        List<Gap> gaps = plan.missing().stream().map(wanted -> new Gap(wanted, plan.elsewhere(wanted))).toList();
        List<Repair> repairs = new ArrayList<>();
        if (repair) {
            for (Gap gap : gaps) {
                repairs.add(new Repair(gap, subscriptions.create(gap.wanted().topicEnum(), gap.wanted().uri())));
            }
        }
        return new Result.Checked(shop, existing.size(), plan, gaps, repairs);
    }
}
