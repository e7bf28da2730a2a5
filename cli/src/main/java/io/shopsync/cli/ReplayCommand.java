package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.WebhookSignature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: signs webhook files as Shopify would and posts them to a stack, local or deployed.
 * Every file is read and checked before the first post, so a mistake in one posts nothing.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Signs Shopify webhooks as Shopify does (HMAC-SHA256 of the exact body) and posts them to a "
                + "stack, one line per file with the HTTP status.",
            "A FILE is an API Gateway event as in events/<flow>/*.json (body and Shopify headers taken from it; "
                + "sqs-delivery.json is skipped), or a raw Shopify payload whose topic is in <file>.topic or --topic. "
                + "A DIR is searched for *.json (raw payloads without a topic are skipped), and its events are posted "
                + "in the order Shopify triggered them."},
        footer = {"", "Examples:",
            "  scripts/shopsync replay events/ --secret shopsync-local-dev-secret      (to scripts/local)",
            "  scripts/shopsync replay events/order-to-crm --url https://abc123.execute-api.eu-west-1.amazonaws.com",
            "  scripts/shopsync replay order.json --topic orders/updated --shop my-store.myshopify.com",
            "", "Each post gets a fresh X-Shopify-Webhook-Id and X-Shopify-Event-Id, so the stack takes it as a new "
                + "delivery (--keep-ids replays a file's own ids: the stack then skips it as a duplicate).",
            "Environment: SHOPIFY_WEBHOOK_SECRET (the signing secret when --secret is not given; of a "
                + "comma-separated list, the first).",
            "Exit codes: 0 every post answered 2xx, 1 a post was not (or could not be made), 2 bad usage."})
final class ReplayCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliContext context;
    private final HttpClient http;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "webhook files, or directories of them")
    List<Path> inputs;

    @Option(names = "--url", paramLabel = "URL", description = "the stack's base URL; each webhook goes to its "
            + "flow's route below it (/webhooks/orders, ...). A URL with a path is posted to as it is. "
            + "(default: ${DEFAULT-VALUE}, scripts/local)")
    String url = "http://127.0.0.1:3000";

    @Option(names = "--secret", paramLabel = "SECRET", description = "the signing secret: the Shopify app's client "
            + "secret the stack accepts (default: SHOPIFY_WEBHOOK_SECRET); never printed")
    String secret;

    @Option(names = "--topic", paramLabel = "TOPIC",
            description = "the topic of raw payloads without a <file>.topic, e.g. orders/create")
    String topic;

    @Option(names = "--shop", paramLabel = "DOMAIN", description = "the shop (X-Shopify-Shop-Domain), e.g. "
            + "my-store.myshopify.com: required for raw payloads; replaces an event's own")
    String shop;

    @Option(names = "--api-version", paramLabel = "VERSION",
            description = "X-Shopify-API-Version of raw payloads (default: ${DEFAULT-VALUE})")
    String apiVersion = ShopifyAdmin.DEFAULT_API_VERSION;

    @Option(names = "--keep-ids", description = "send each event's own webhook and event ids instead of fresh ones")
    boolean keepIds;

    ReplayCommand(CliContext context, HttpClient http) {
        this.context = context;
        this.http = http;
    }

    /** One file ready to post: the webhook and where it goes. */
    private record Planned(WebhookFile webhook, URI target) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String signingSecret = signingSecret();
        URI base = baseUrl();
        List<Planned> planned = plan(base, out);

        out.println("replay: " + planned.size() + " webhook" + (planned.size() == 1 ? "" : "s") + " to " + base
                + ", signed" + (keepIds ? ", with their own ids" : ", with fresh webhook and event ids"));
        out.flush();
        Map<Integer, Integer> failedByStatus = new LinkedHashMap<>();
        int posted = 0;
        for (Planned plan : planned) {
            int status;
            try {
                status = post(plan, signingSecret);
            } catch (ConnectException e) {
                throw new CliException("cannot connect to " + plan.target() + (posted == 0 ? "" : " (" + posted
                        + " posted before)") + ": is the stack running? scripts/local serves http://127.0.0.1:3000; "
                        + "for a deployed stack pass --url https://<api-id>.execute-api.<region>.amazonaws.com");
            } catch (IOException e) {
                out.println(String.format("  %-4s %-26s %s  %s", "---", plan.webhook().topic(),
                        display(plan.webhook().file()), "not answered: " + e.getMessage()));
                failedByStatus.merge(0, 1, Integer::sum);
                continue;
            }
            posted++;
            out.println(String.format("  %-4d %-26s %s%s", status, plan.webhook().topic(), display(plan.webhook().file()),
                    status / 100 == 2 ? "" : "  " + hint(status)));
            out.flush();
            if (status / 100 != 2) {
                failedByStatus.merge(status, 1, Integer::sum);
            }
        }
        int failed = failedByStatus.values().stream().mapToInt(Integer::intValue).sum();
        if (failed > 0) {
            throw new CliException(failed + " of " + planned.size() + " not answered 2xx ("
                    + failedByStatus.entrySet().stream().map(e -> (e.getKey() == 0 ? "no answer" : "HTTP " + e.getKey())
                            + ": " + e.getValue()).collect(Collectors.joining(", ")) + "); see the lines above");
        }
        out.println("replay: " + planned.size() + " posted, all answered 2xx");
        return 0;
    }

    /**
     * Reads every file and works out where each goes, before anything is posted: problems with any
     * file end the command with all of them listed. Skipped files are summed up per reason.
     */
    private List<Planned> plan(URI base, PrintWriter out) {
        WebhookFile.Defaults defaults = new WebhookFile.Defaults(topic, shop == null ? null : ShopDomain.of(shop),
                apiVersion);
        List<Planned> planned = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, List<Path>> skipped = new LinkedHashMap<>();
        for (Path input : inputs) {
            boolean directory = Files.isDirectory(input);
            List<WebhookFile> webhooks = new ArrayList<>();
            for (Path file : filesOf(input)) {
                try {
                    webhooks.add(WebhookFile.read(file, defaults));
                } catch (WebhookFile.NotAWebhook e) {
                    skipped.computeIfAbsent(e.getMessage(), k -> new ArrayList<>()).add(file);
                } catch (WebhookFile.MissingTopic e) {
                    if (directory) {
                        skipped.computeIfAbsent("raw payloads without a topic (<file>.topic beside each, or --topic, "
                                + "includes them)", k -> new ArrayList<>()).add(file);
                    } else {
                        problems.add(display(file) + ": " + e.getMessage());
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(display(file) + ": " + e.getMessage());
                }
            }
            if (directory) {
                webhooks.sort(Comparator.comparing((WebhookFile w) -> w.triggeredAt().orElse(Instant.EPOCH))
                        .thenComparing(w -> w.file().toString()));
            }
            for (WebhookFile webhook : webhooks) {
                try {
                    planned.add(new Planned(webhook, target(base, webhook)));
                } catch (IllegalArgumentException e) {
                    problems.add(display(webhook.file()) + ": " + e.getMessage());
                }
            }
        }
        skipped.forEach((reason, files) -> out.println("skip " + files.size() + ": " + reason + ": "
                + files.stream().limit(3).map(this::display).collect(Collectors.joining(", "))
                + (files.size() > 3 ? " and " + (files.size() - 3) + " more" : "")));
        if (!problems.isEmpty()) {
            throw new CliException("nothing was posted; fix these first:\n  " + String.join("\n  ", problems));
        }
        if (planned.isEmpty()) {
            throw new CliException("no webhook to post in " + inputs.stream().map(this::display)
                    .collect(Collectors.joining(", ")) + ": give API Gateway events (events/<flow>/*.json) or raw "
                    + "payloads (*.json)");
        }
        return planned;
    }

    private int post(Planned plan, String signingSecret) throws IOException {
        WebhookFile webhook = plan.webhook();
        Map<String, String> headers = new LinkedHashMap<>(webhook.headers());
        if (!keepIds || !hasIds(headers)) {
            WebhookFile.remove(headers, "webhook-id");
            WebhookFile.remove(headers, "event-id");
            headers.put("X-Shopify-Webhook-Id", UUID.randomUUID().toString());
            headers.put("X-Shopify-Event-Id", UUID.randomUUID().toString());
        }
        if (headers.keySet().stream().noneMatch(name -> name.toLowerCase(Locale.ROOT).endsWith("shopify-triggered-at"))) {
            headers.put("X-Shopify-Triggered-At", Instant.now().toString());
        }
        headers.put("X-Shopify-Hmac-Sha256", WebhookSignature.sign(webhook.body(), signingSecret));
        HttpRequest.Builder request = HttpRequest.newBuilder(plan.target()).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(webhook.body()));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while posting " + display(webhook.file()), e);
        }
    }

    private static boolean hasIds(Map<String, String> headers) {
        return headers.keySet().stream().anyMatch(name -> name.toLowerCase(Locale.ROOT).endsWith("shopify-webhook-id"));
    }

    private static String hint(int status) {
        if (status == 401) {
            return "signature not accepted: sign with a secret the stack accepts (--secret or SHOPIFY_WEBHOOK_SECRET)";
        }
        if (status == 404 || status == 405) {
            return "no such route: --url must be the stack's base URL (or a full /webhooks/... URL)";
        }
        if (status >= 500) {
            return "the stack failed (Shopify would retry): see its logs, then replay again";
        }
        return "not accepted";
    }

    /** The webhook's URL: the base URL as given when it has a path, else the base plus the event's or flow's route. */
    private static URI target(URI base, WebhookFile webhook) {
        String path = base.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            return base;
        }
        String route = webhook.route().orElseGet(() -> DeployedFlow.takingTopic(webhook.topic())
                .map(DeployedFlow::route).orElseThrow(() -> new IllegalArgumentException("no flow takes topic "
                        + webhook.topic() + " (flows: " + DeployedFlow.names() + "): pass the full URL to post it "
                        + "anyway, e.g. --url " + stripSlash(base.toString()) + "/webhooks/orders")));
        return URI.create(stripSlash(base.toString()) + route);
    }

    private URI baseUrl() {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliException("--url " + url + " is not an http(s) URL: give the stack's base URL, e.g. "
                    + "http://127.0.0.1:3000 or https://abc123.execute-api.eu-west-1.amazonaws.com");
        }
    }

    private static String stripSlash(String text) {
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    /** The secret to sign with: --secret as given, else SHOPIFY_WEBHOOK_SECRET's (first) client secret. */
    private String signingSecret() {
        if (secret != null && !secret.isEmpty()) {
            return secret;
        }
        String stored = context.setting("SHOPIFY_WEBHOOK_SECRET").orElseThrow(() -> new CliException(
                "no signing secret: pass --secret or set SHOPIFY_WEBHOOK_SECRET to the Shopify app client secret the "
                        + "stack accepts (scripts/local accepts shopsync-local-dev-secret unless told otherwise)"));
        try {
            return SigningSecrets.firstClientSecret(stored, "SHOPIFY_WEBHOOK_SECRET");
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage() + ": pass the client secret with --secret instead");
        }
    }

    private List<Path> filesOf(Path input) {
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        if (!Files.isDirectory(input)) {
            throw new CliException(display(input) + " does not exist: give a webhook file or a directory of them");
        }
        try (Stream<Path> walk = Files.walk(input)) {
            return walk.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".json"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new CliException("cannot list " + display(input) + ": " + e.getMessage());
        }
    }

    private String display(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path here = Path.of("").toAbsolutePath();
        return absolute.startsWith(here) ? here.relativize(absolute).toString() : absolute.toString();
    }
}
