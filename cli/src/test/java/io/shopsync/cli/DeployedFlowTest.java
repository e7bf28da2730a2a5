package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The CLI's picture of a deployed flow matches template.yaml: routes per handler, and the output names it reads. */
class DeployedFlowTest {

    private static final Pattern RESOURCE = Pattern.compile("^  ([A-Za-z0-9]+):\\s*$");
    private static final Pattern HANDLER = Pattern.compile("^\\s+Handler: ([\\w.]+)::handleRequest\\s*$");
    private static final Pattern PATH = Pattern.compile("^\\s+Path: (/\\S+)\\s*$");

    @Test
    void everyFlowsRoute_shouldBeTheRouteOfItsFunctionInTheTemplate() throws IOException {
        Map<String, java.util.List<String>> routesByHandlerClass = new HashMap<>();
        String handler = null;
        for (String line : template()) {
            if (RESOURCE.matcher(line).matches()) {
                handler = null;
            }
            Matcher h = HANDLER.matcher(line);
            if (h.matches()) {
                handler = h.group(1);
            }
            Matcher p = PATH.matcher(line);
            if (p.matches() && handler != null) {
                routesByHandlerClass.computeIfAbsent(handler, key -> new java.util.ArrayList<>()).add(p.group(1));
            }
        }

        // The order flow's function also takes the privacy webhooks, on a route the CLI never posts to.
        assertThat(routesByHandlerClass).containsEntry("io.shopsync.orders.OrderToCrm",
                        java.util.List.of(DeployedFlow.named("order-to-crm").route(), io.shopsync.flow.WebhookRoutes.PRIVACY_PATH))
                .containsEntry("io.shopsync.stock.StockToInventory", java.util.List.of(DeployedFlow.named("stock-to-inventory").route()))
                .containsEntry("io.shopsync.fulfilments.FulfilmentToCrm", java.util.List.of(DeployedFlow.named("fulfilment-to-crm").route()));
    }

    @Test
    void everyOutputTheCliReads_shouldBeAnOutputOfTheTemplate() throws IOException {
        Set<String> outputs = new HashSet<>();
        boolean inOutputs = false;
        for (String line : template()) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                inOutputs = line.startsWith("Outputs:");
                continue;
            }
            Matcher m = RESOURCE.matcher(line);
            if (inOutputs && m.matches()) {
                outputs.add(m.group(1));
            }
        }

        assertThat(DeployedFlow.ALL).hasSize(3);
        for (DeployedFlow flow : DeployedFlow.ALL) {
            assertThat(outputs).contains(flow.webhookUrlOutput(), flow.queueUrlOutput(), flow.deadLetterQueueUrlOutput(),
                    flow.functionNameOutput());
        }
    }

    /** trace searches /aws/lambda/<the FunctionName output>: the template names each function's log group so. */
    @Test
    void everyFlowsFunction_shouldLogToTheGroupLambdaNamesAfterIt() throws IOException {
        String template = String.join("\n", template());
        for (DeployedFlow flow : DeployedFlow.ALL) {
            assertThat(template).contains("FunctionName: !Sub \"${AWS::StackName}-" + flow.name() + "\"")
                    .contains("LogGroupName: !Sub \"/aws/lambda/${AWS::StackName}-" + flow.name() + "\"");
        }
    }

    @Test
    void topics_shouldBeTheFlowsOwn_andEachTakenByOneFlow() {
        assertThat(DeployedFlow.named("order-to-crm").topics()).contains("orders/create", "refunds/create");
        assertThat(DeployedFlow.named("stock-to-inventory").topics()).contains("inventory_levels/update");
        assertThat(DeployedFlow.named("fulfilment-to-crm").topics()).containsExactly("fulfillments/create",
                "fulfillments/update");
        assertThat(DeployedFlow.takingTopic("inventory_items/update")).map(DeployedFlow::name).contains("stock-to-inventory");
        assertThat(DeployedFlow.takingTopic("products/update")).isEmpty();
        assertThat(DeployedFlow.servingUrl("https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/fulfilments/"))
                .map(DeployedFlow::name).contains("fulfilment-to-crm");
    }

    /** OrderFlowCustomerTopics=true (ORDER_FLOW_CUSTOMER_TOPICS) adds customers/* to the order flow, and only to it. */
    @Test
    void all_shouldAddTheCustomerTopicsToTheOrderFlow_whenTheStackTakesThem() throws IOException {
        assertThat(DeployedFlow.all(true).get(0).topics()).containsSubsequence("orders/create", "refunds/create")
                .contains("customers/create", "customers/update");
        assertThat(DeployedFlow.named("order-to-crm").topics()).doesNotContain("customers/create", "customers/update");
        assertThat(DeployedFlow.all(true).subList(1, 3)).isEqualTo(DeployedFlow.ALL.subList(1, 3));
        assertThat(template()).contains("  " + DeployedFlow.CUSTOMER_TOPICS_PARAMETER + ":");
    }

    private static List<String> template() throws IOException {
        return Files.readAllLines(Path.of("..", "template.yaml"));
    }
}
