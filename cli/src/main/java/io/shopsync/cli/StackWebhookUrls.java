package io.shopsync.cli;

import io.shopsync.connectors.shopify.SubscriptionPlan;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The stack's webhook URLs, one per flow: from its outputs ({@code --stack}) or below a base URL; and whether
 * the order flow takes customers/* too (the stack's OrderFlowCustomerTopics, or {@code --customer-topics}) and
 * Shopify's consent topics (OrderFlowConsentTopics, or {@code --consent-topics}).
 */
final class StackWebhookUrls {

    @Option(names = "--stack", paramLabel = "NAME",
            description = "the deployed stack (the name sam deploy used): webhook URLs from its outputs")
    String stack;

    @Option(names = "--base-url", paramLabel = "URL", description = "the stack's HTTP API URL instead of --stack, "
            + "e.g. https://abc123.execute-api.eu-west-1.amazonaws.com (the flows' routes are appended)")
    String baseUrl;

    @Option(names = "--customer-topics", description = "the order flow takes customers/create and customers/update "
            + "too (the stack was deployed with OrderFlowCustomerTopics=true); with --stack, read from the stack")
    boolean customerTopics;

    @Option(names = "--consent-topics", description = "the order flow takes customers_email_marketing_consent/update "
            + "and customers_marketing_consent/update too (the stack was deployed with OrderFlowConsentTopics=true); "
            + "with --stack, read from the stack")
    boolean consentTopics;

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    /** The stack's URLs, and which topics its flows take. */
    record Resolved(Map<DeployedFlow, String> urls, boolean customerTopics, boolean consentTopics) {
        List<SubscriptionPlan.Wanted> wanted() {
            return DeployedFlow.wanted(urls, customerTopics, consentTopics);
        }
    }

    Map<DeployedFlow, String> resolve(CliContext context) {
        return resolveStack(context).urls();
    }

    Resolved resolveStack(CliContext context) {
        Map<DeployedFlow, String> urls = new LinkedHashMap<>();
        if (baseUrl != null && !baseUrl.isBlank()) {
            String base = base(baseUrl);
            DeployedFlow.ALL.forEach(flow -> urls.put(flow, base + flow.route()));
            return new Resolved(urls, customerTopics, consentTopics);
        }
        if (stack == null || stack.isBlank()) {
            throw new CliException("which stack? pass --stack NAME (the stack name sam deploy used) or --base-url "
                    + "https://<api-id>.execute-api.<region>.amazonaws.com (OrderWebhookUrl without /webhooks/orders)");
        }
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            StackOutputs outputs = StackOutputs.read(aws, stack.trim());
            DeployedFlow.ALL.forEach(flow -> urls.put(flow, outputs.require(flow.webhookUrlOutput())));
            return new Resolved(urls,
                    takes(outputs, DeployedFlow.CUSTOMER_TOPICS_PARAMETER, customerTopics, "customers/*", "--customer-topics"),
                    takes(outputs, DeployedFlow.CONSENT_TOPICS_PARAMETER, consentTopics, "the consent topics",
                            "--consent-topics"));
        }
    }

    /**
     * Whether the stack's order flow takes optional topics: as its parameter says, or as the option says for a stack
     * without that parameter. An option the stack contradicts is refused: its order flow would dead-letter every such
     * delivery as a topic it does not take.
     */
    private boolean takes(StackOutputs outputs, String parameterName, boolean option, String topics, String optionName) {
        Optional<String> parameter = outputs.parameter(parameterName);
        if (parameter.isEmpty()) {
            return option;
        }
        boolean stackTakes = "true".equalsIgnoreCase(parameter.get());
        if (option && !stackTakes) {
            throw new CliException("stack " + stack.trim() + " was deployed with " + parameterName + "=" + parameter.get()
                    + ": its order flow does not take " + topics + ". Deploy it with " + parameterName
                    + "=true first, or drop " + optionName);
        }
        return stackTakes;
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
