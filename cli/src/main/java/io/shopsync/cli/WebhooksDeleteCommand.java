package io.shopsync.cli;

import io.shopsync.connectors.shopify.WebhookSubscription;
import io.shopsync.connectors.shopify.WebhookSubscriptions;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code webhooks delete}: removes the stack's subscriptions (those delivering to its URLs), or given ones. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Deletes the shop's webhook subscriptions that deliver to the stack's URLs (every topic), with "
                + "webhookSubscriptionDelete; or the subscriptions given by --id. Other subscriptions are left alone."},
        footer = {"", "Examples:",
            "  scripts/shopsync webhooks delete --shop my-store --stack shopsync",
            "  scripts/shopsync webhooks delete --shop my-store --id 1234567890",
            "", "Exit codes: 0 deleted (or nothing to delete), 1 Shopify refused one or failed, 2 bad usage."})
final class WebhooksDeleteCommand implements Callable<Integer> {

    private final CliContext context;
    private final HttpClient http;

    @Spec
    CommandSpec spec;

    @Mixin
    ShopifyAdminOptions shopify = new ShopifyAdminOptions();

    @Mixin
    StackWebhookUrls stack = new StackWebhookUrls();

    @Option(names = "--id", paramLabel = "ID", split = ",",
            description = "delete these subscriptions (ids as webhooks list shows them) instead of the stack's")
    List<String> ids;

    @Option(names = "--dry-run", description = "show what would be deleted; change nothing")
    boolean dryRun;

    WebhooksDeleteCommand(CliContext context, HttpClient http) {
        this.context = context;
        this.http = http;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean byId = ids != null && !ids.isEmpty();
        Collection<String> urls = byId ? List.of() : stack.resolve(context).values();
        WebhookSubscriptions subscriptions = shopify.subscriptions(http, context, spec.commandLine().getErr());
        List<WebhookSubscription> existing = shopify.list(subscriptions);
        List<WebhookSubscription> doomed = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        if (byId) {
            for (String id : ids) {
                String shortId = id.trim().substring(id.trim().lastIndexOf('/') + 1);
                existing.stream().filter(s -> s.shortId().equals(shortId)).findFirst()
                        .ifPresentOrElse(doomed::add, () -> unknown.add(id.trim()));
            }
            if (!unknown.isEmpty()) {
                throw new CliException("no subscription with id " + String.join(", ", unknown) + " in " + shopify.domain()
                        + " (nothing was deleted): see the ids with scripts/shopsync webhooks list --shop "
                        + shopify.domain());
            }
        } else {
            existing.stream().filter(s -> urls.stream().anyMatch(s::pointsAt)).forEach(doomed::add);
        }
        out.println("webhooks delete " + shopify.domain() + ": " + doomed.size() + " of " + existing.size()
                + " subscriptions " + (byId ? "given by id" : "deliver to the stack")
                + (dryRun ? "; dry run, nothing changes" : ""));
        if (doomed.isEmpty()) {
            out.println("Nothing to delete: no subscription delivers to " + String.join(", ", urls));
            return 0;
        }
        List<String> refused = new ArrayList<>();
        int deleted = 0;
        for (WebhookSubscription subscription : doomed) {
            String uri = subscription.uri() == null ? "(not HTTPS)" : subscription.uri();
            if (dryRun) {
                WebhooksRegisterCommand.line(out, "delete", DeployedFlow.topicName(subscription), uri, "id " + subscription.shortId()
                        + " (dry run)");
                continue;
            }
            WebhookSubscriptions.Change change = subscriptions.delete(subscription.id());
            if (change instanceof WebhookSubscriptions.Change.Done) {
                deleted++;
                WebhooksRegisterCommand.line(out, "deleted", DeployedFlow.topicName(subscription), uri, "id " + subscription.shortId());
            } else if (change instanceof WebhookSubscriptions.Change.Refused refusal) {
                refused.add(subscription.shortId() + ": " + refusal.message());
                WebhooksRegisterCommand.line(out, "REFUSED", DeployedFlow.topicName(subscription), uri,
                        "Shopify said: " + refusal.message());
            } else if (change instanceof WebhookSubscriptions.Change.Failed failed) {
                String problem = shopify.problem(failed.failure());
                refused.add(subscription.shortId() + ": " + problem);
                WebhooksRegisterCommand.line(out, "FAILED", DeployedFlow.topicName(subscription), uri, problem);
            }
            out.flush();
        }
        out.println(dryRun ? "would delete " + doomed.size() : "deleted " + deleted
                + (refused.isEmpty() ? "" : ", refused " + refused.size()));
        if (!refused.isEmpty()) {
            throw new CliException(refused.size() + " subscription(s) not deleted: " + String.join("; ", refused)
                    + ". Fix what Shopify said, then run delete again (it deletes only what is left)");
        }
        return 0;
    }
}
