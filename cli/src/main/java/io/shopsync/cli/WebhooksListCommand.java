package io.shopsync.cli;

import io.shopsync.connectors.shopify.WebhookSubscription;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code webhooks list}: every webhook subscription of the app in a shop. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists the app's webhook subscriptions in a shop: id, topic, the flow whose route the URL ends "
                + "with, the URL, and anything that makes a subscription deliver less than a flow needs.",
        footer = {"", "Example:", "  SHOPIFY_ADMIN_TOKEN=shpat_... scripts/shopsync webhooks list --shop my-store",
            "", "Exit codes: 0 listed, 1 failed (the message says what to do), 2 bad usage."})
final class WebhooksListCommand implements Callable<Integer> {

    private final CliContext context;
    private final HttpClient http;

    @Spec
    CommandSpec spec;

    @Mixin
    ShopifyAdminOptions shopify = new ShopifyAdminOptions();

    WebhooksListCommand(CliContext context, HttpClient http) {
        this.context = context;
        this.http = http;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<WebhookSubscription> subscriptions = shopify.list(shopify.subscriptions(http, context,
                spec.commandLine().getErr()));
        out.println(shopify.domain() + ": " + subscriptions.size() + " webhook subscription"
                + (subscriptions.size() == 1 ? "" : "s") + " (Admin API " + shopify.apiVersion + ")");
        if (subscriptions.isEmpty()) {
            out.println("Register the stack's: scripts/shopsync webhooks register --shop " + shopify.domain()
                    + " --stack NAME");
            return 0;
        }
        out.printf("  %-14s %-28s %-19s %s%n", "id", "topic", "flow", "uri");
        for (WebhookSubscription subscription : subscriptions) {
            out.printf("  %-14s %-28s %-19s %s%n", subscription.shortId(), DeployedFlow.topicName(subscription),
                    DeployedFlow.serving(subscription).map(DeployedFlow::name).orElse("-"),
                    subscription.uri() == null ? "(not an HTTPS subscription)" : subscription.uri());
            for (String warning : subscription.warnings()) {
                out.println("      note: " + warning);
            }
        }
        return 0;
    }
}
