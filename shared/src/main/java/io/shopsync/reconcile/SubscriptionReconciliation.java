package io.shopsync.reconcile;

import io.shopsync.alerts.Alert;
import io.shopsync.alerts.Alerts;
import io.shopsync.connectors.shopify.SubscriptionCheck;
import io.shopsync.connectors.shopify.SubscriptionPlan;
import io.shopsync.connectors.shopify.WebhookSubscription;
import io.shopsync.observability.Telemetry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The reconciler's {@code subscriptions} check: does the shop still deliver every topic the flows need to this
 * stack ({@link SubscriptionCheck})? It compares the shop's subscriptions as they are now, so it is not windowed
 * and has no checkpoint. Each topic without a subscription to its destination counts in
 * {@code SubscriptionsMissing} (dimension {@code flow=reconciler}) and raises one alert per shop and run, of flows,
 * topics and subscription ids only (never a URL, never a token). With {@code repair} (RECONCILE_REPAIR_SUBSCRIPTIONS=true)
 * each gap is re-registered as {@code scripts/shopsync webhooks register} does; the alert says what came of it.
 * In a dry run nothing is registered and no alert is raised. Subscriptions that could not be listed fail the check.
 */
public final class SubscriptionReconciliation implements ReconcileCheck {

    public static final String NAME = "subscriptions";
    public static final String SUBSCRIPTIONS_MISSING = "SubscriptionsMissing";
    public static final String RUNBOOK = "docs/operations.md#reconcile-subscription-missing";

    private final SubscriptionCheck check;
    private final List<SubscriptionPlan.Wanted> expected;
    private final boolean repair;
    private final Alerts alerts;
    private final Telemetry telemetry;

    /**
     * @param expected every flow's topics to its destination (the stack's route, or the partner event source)
     * @param repair whether to re-register what is missing
     */
    public SubscriptionReconciliation(SubscriptionCheck check, List<SubscriptionPlan.Wanted> expected, boolean repair,
                                      Alerts alerts, Telemetry telemetry) {
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("the subscription check needs the topics the flows take and where to");
        }
        this.check = check;
        this.expected = List.copyOf(expected);
        this.repair = repair;
        this.alerts = alerts;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean windowed() {
        return false;
    }

    @Override
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun) {
        SubscriptionCheck.Result result = check.check(shop, expected, repair && !dryRun);
        if (result instanceof SubscriptionCheck.Result.Failed failed) {
            throw new ReconcileFailedException("shop " + shop + ": the webhook subscriptions could not be listed: "
                    + failed.failure().getMessage());
        }
        SubscriptionCheck.Result.Checked checked = (SubscriptionCheck.Result.Checked) result;
        for (SubscriptionCheck.Gap gap : checked.gaps()) {
            telemetry.line(Reconciler.NAME,
                            dryRun ? "reconcile: subscription missing (dry run)" : "reconcile: subscription missing")
                    .field("shop", shop).field("flow", gap.wanted().flow()).field("topic", gap.wanted().topic())
                    .field("pointsElsewhere", gap.pointsElsewhere() ? ids(gap.elsewhere()) : null)
                    .field("repair", repairOf(checked, gap)).emit();
        }
        if (!checked.gaps().isEmpty() && !dryRun) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("shop", shop);
            details.put("check", NAME);
            details.put("missing", checked.gaps().stream().map(g -> g.wanted().flow() + " " + g.wanted().topicEnum()
                    + (g.pointsElsewhere() ? " (delivered elsewhere only: " + ids(g.elsewhere()) + ")" : ""))
                    .collect(Collectors.joining(", ")));
            if (!checked.repairs().isEmpty()) {
                details.put("repaired", checked.repairs().stream().filter(SubscriptionCheck.Repair::done).count() + " of "
                        + checked.repairs().size());
            }
            alerts.raise(new Alert(Reconciler.NAME, NAME, "subscription-missing", details,
                    checked.alert() + " Runbook: " + RUNBOOK, "webhook subscription missing"));
        }
        int wanted = checked.plan().kept().size() + checked.plan().missing().size();
        return new CheckReport(NAME, wanted, wanted - checked.missing(), List.of(),
                Map.of(SUBSCRIPTIONS_MISSING, checked.missing()));
    }

    private static String repairOf(SubscriptionCheck.Result.Checked checked, SubscriptionCheck.Gap gap) {
        return checked.repairs().stream().filter(r -> r.gap().equals(gap)).findFirst()
                .map(r -> r.done() ? "re-registered" : "re-registering failed").orElse(null);
    }

    private static String ids(List<WebhookSubscription> subscriptions) {
        return subscriptions.stream().map(WebhookSubscription::shortId).collect(Collectors.joining(", "));
    }
}
