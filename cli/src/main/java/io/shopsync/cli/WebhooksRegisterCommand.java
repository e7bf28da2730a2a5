package io.shopsync.cli;

import io.shopsync.connectors.shopify.SubscriptionCheck;
import io.shopsync.connectors.shopify.SubscriptionPlan;
import io.shopsync.connectors.shopify.WebhookSubscription;
import io.shopsync.connectors.shopify.WebhookSubscriptions;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code webhooks register}: subscribes each flow's topics to the flow's URL on the stack. Idempotent:
 * creates what is missing, leaves what matches, reports (never deletes) what is extra. It runs the same
 * {@link SubscriptionCheck} the reconciler runs (with repair), so both register alike.
 */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = {"Subscribes the shop's webhooks to the stack: each flow's topics to its URL (webhookSubscriptionCreate "
                + "with uri, format JSON). Creates what is missing, leaves what matches and reports what is extra, without "
                + "deleting it; safe to run again."},
        footer = {"", "Examples:",
            "  scripts/shopsync webhooks register --shop my-store --stack shopsync",
            "  scripts/shopsync webhooks register --shop my-store --delivery eventbridge \\",
            "      --source-arn arn:aws:events:eu-west-1::event-source/aws.partner/shopify.com/313726713857/shopsync",
            "  scripts/shopsync webhooks register --shop my-store --dry-run \\",
            "      --base-url https://abc123.execute-api.eu-west-1.amazonaws.com",
            "", "Exit codes: 0 every wanted subscription exists, 1 Shopify refused one or failed (the message says "
                + "what to do), 2 bad usage."})
final class WebhooksRegisterCommand implements Callable<Integer> {

    private final CliContext context;
    private final HttpClient http;

    @Spec
    CommandSpec spec;

    @Mixin
    ShopifyAdminOptions shopify = new ShopifyAdminOptions();

    @Mixin
    StackWebhookUrls stack = new StackWebhookUrls();

    @Option(names = "--dry-run", description = "show what would be created; change nothing")
    boolean dryRun;

    @Option(names = "--delivery", paramLabel = "https|eventbridge", description = "https (default): each flow's topics "
            + "to its URL on the stack; eventbridge: every flow's topics to Shopify's partner event source (--source-arn), "
            + "whose bus the stack routes to the flows (ShopifyEventSourceName)")
    String delivery = "https";

    @Option(names = "--source-arn", paramLabel = "ARN", description = "with --delivery eventbridge: "
            + "arn:aws:events:<region>::event-source/aws.partner/shopify.com/<app id>/<source name>")
    String sourceArn;

    private static final java.util.regex.Pattern SOURCE_ARN = java.util.regex.Pattern.compile(
            "arn:aws[a-z-]*:events:[a-z0-9-]+::event-source/aws\\.partner/shopify\\.com/[0-9]+/[A-Za-z0-9._-]+");

    /** Where each flow's topics are delivered: the stack's routes, or the one partner event source. */
    private StackWebhookUrls.Resolved destinations() {
        if ("https".equals(delivery)) {
            return stack.resolveStack(context);
        }
        if (!"eventbridge".equals(delivery)) {
            throw new CliException("--delivery " + delivery + " is not known: give https or eventbridge");
        }
        String arn = sourceArn == null ? "" : sourceArn.trim();
        if (!SOURCE_ARN.matcher(arn).matches()) {
            throw new CliException((arn.isEmpty() ? "--delivery eventbridge needs --source-arn" : "--source-arn " + arn
                    + " is not a Shopify partner event source") + ": give arn:aws:events:<region>::event-source/"
                    + "aws.partner/shopify.com/<app id>/<source name> (the event source the Partner or Dev Dashboard created,"
                    + " the stack's ShopifyEventSourceName)");
        }
        Map<DeployedFlow, String> destinations = new java.util.LinkedHashMap<>();
        DeployedFlow.ALL.forEach(flow -> destinations.put(flow, arn));
        // No stack to read here: customers/* only with --customer-topics, consent only with --consent-topics, as
        // with --base-url.
        return new StackWebhookUrls.Resolved(destinations, stack.customerTopics, stack.consentTopics);
    }

    WebhooksRegisterCommand(CliContext context, HttpClient http) {
        this.context = context;
        this.http = http;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StackWebhookUrls.Resolved resolved = destinations();
        SubscriptionCheck.Result result = shopify.check(http, context, spec.commandLine().getErr())
                .check(shopify.domain(), resolved.wanted(), !dryRun);
        if (result instanceof SubscriptionCheck.Result.Failed failed) {
            throw shopify.failure(failed.failure());
        }
        SubscriptionCheck.Result.Checked checked = (SubscriptionCheck.Result.Checked) result;
        SubscriptionPlan plan = checked.plan();
        int wanted = plan.missing().size() + plan.kept().size();
        out.println("webhooks register " + shopify.domain() + ": " + wanted + " subscriptions wanted ("
                + resolved.urls().size() + " flows), " + checked.existing() + " exist"
                + (dryRun ? "; dry run, nothing changes" : ""));

        for (SubscriptionPlan.Kept kept : plan.kept()) {
            line(out, "kept", kept.wanted().topic(), kept.wanted().uri(), "");
            for (String warning : kept.existing().warnings()) {
                out.println("           note: " + warning + " (delete it and register again to get every delivery)");
            }
        }
        List<String> refused = new ArrayList<>();
        int created = 0;
        if (dryRun) {
            plan.missing().forEach(missing -> line(out, "create", missing.topic(), missing.uri(), "(dry run)"));
        }
        for (SubscriptionCheck.Repair repair : checked.repairs()) {
            SubscriptionPlan.Wanted missing = repair.gap().wanted();
            if (repair.change() instanceof WebhookSubscriptions.Change.Done done) {
                created++;
                line(out, "created", missing.topic(), missing.uri(), "id " + done.id());
            } else if (repair.change() instanceof WebhookSubscriptions.Change.Refused refusal) {
                refused.add(missing.topic() + ": " + refusal.message());
                line(out, "REFUSED", missing.topic(), missing.uri(), "Shopify said: " + refusal.message());
            } else if (repair.change() instanceof WebhookSubscriptions.Change.Failed failed) {
                String problem = shopify.problem(failed.failure());
                refused.add(missing.topic() + ": " + problem);
                line(out, "FAILED", missing.topic(), missing.uri(), problem);
            }
        }
        for (SubscriptionPlan.Extra extra : plan.extra()) {
            WebhookSubscription subscription = extra.existing();
            line(out, "extra", DeployedFlow.topicName(subscription),
                    subscription.uri() == null ? "(not HTTPS)" : subscription.uri(),
                    "id " + subscription.shortId() + ": " + extra.why() + "; left as it is");
        }

        out.println((dryRun ? "would create " + plan.missing().size() : "created " + created) + ", kept "
                + plan.kept().size() + ", extra " + plan.extra().size() + (refused.isEmpty() ? "" : ", refused " + refused.size()));
        if (!plan.extra().isEmpty()) {
            out.println("Extra subscriptions are not deleted. Remove one with: scripts/shopsync webhooks delete --shop "
                    + shopify.domain() + " --id ID");
        }
        if (!refused.isEmpty()) {
            throw new CliException(refused.size() + " subscription(s) not created: " + String.join("; ", refused)
                    + ". Fix what Shopify said (a uri it cannot reach or that is not HTTPS; a topic the app has no "
                    + "access scope for), then run register again: it creates only what is missing");
        }
        return 0;
    }

    static void line(PrintWriter out, String action, String topic, String uri, String note) {
        out.printf("  %-8s %-28s %s%s%n", action, topic, uri, note.isEmpty() ? "" : "  " + note);
    }
}
