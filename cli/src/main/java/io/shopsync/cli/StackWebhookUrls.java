package io.shopsync.cli;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The stack's webhook URLs, one per flow: from its outputs ({@code --stack}) or below a base URL. */
final class StackWebhookUrls {

    @Option(names = "--stack", paramLabel = "NAME",
            description = "the deployed stack (the name sam deploy used): webhook URLs from its outputs")
    String stack;

    @Option(names = "--base-url", paramLabel = "URL", description = "the stack's HTTP API URL instead of --stack, "
            + "e.g. https://abc123.execute-api.eu-west-1.amazonaws.com (the flows' routes are appended)")
    String baseUrl;

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    Map<DeployedFlow, String> resolve(CliContext context) {
        Map<DeployedFlow, String> urls = new LinkedHashMap<>();
        if (baseUrl != null && !baseUrl.isBlank()) {
            String base = base(baseUrl);
            DeployedFlow.ALL.forEach(flow -> urls.put(flow, base + flow.route()));
            return urls;
        }
        if (stack == null || stack.isBlank()) {
            throw new CliException("which stack? pass --stack NAME (the stack name sam deploy used) or --base-url "
                    + "https://<api-id>.execute-api.<region>.amazonaws.com (OrderWebhookUrl without /webhooks/orders)");
        }
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            StackOutputs outputs = StackOutputs.read(aws, stack.trim());
            DeployedFlow.ALL.forEach(flow -> urls.put(flow, outputs.require(flow.webhookUrlOutput())));
        }
        return urls;
    }

    private static String base(String given) {
        String text = given.trim().replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new CliException("--base-url " + given + " is not a URL: give the stack's HTTP API URL, e.g. "
                    + "https://abc123.execute-api.eu-west-1.amazonaws.com");
        }
        if (uri.getPath() != null && uri.getPath().contains("/webhooks")) {
            throw new CliException("--base-url " + given + " includes a route: give the part before /webhooks/..., "
                    + "e.g. " + text.substring(0, text.indexOf("/webhooks")));
        }
        return text;
    }
}
