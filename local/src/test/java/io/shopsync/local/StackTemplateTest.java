package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackTemplateTest {

    @TempDir
    Path dir;

    private static final String VALID = """
            Parameters:
              MaxReceiveCount:
                Type: Number
                Default: 5
            Globals:
              Function:
                Handler: io.shopsync.orders.OrderToCrm::handleRequest
            Resources:
              Api:
                Type: AWS::Serverless::HttpApi
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Events:
                    Queue:
                      Type: SQS
                      Properties:
                        Queue: !GetAtt WorkQueue.Arn
                        FunctionResponseTypes: [ReportBatchItemFailures]
                    Webhook:
                      Type: HttpApi
                      Properties:
                        ApiId: !Ref Api
                        Method: post
                        Path: /webhooks/orders
              WorkQueue:
                Type: AWS::SQS::Queue
                Properties:
                  QueueName: !Sub "${AWS::StackName}-orders.fifo"
                  FifoQueue: true
                  VisibilityTimeout: 45
                  RedrivePolicy:
                    deadLetterTargetArn: !GetAtt DeadLetterQueue.Arn
                    maxReceiveCount: !Ref MaxReceiveCount
              DeadLetterQueue:
                Type: AWS::SQS::Queue
                Properties:
                  FifoQueue: true
            """;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("template.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void read_takesRoutesAndQueuesFromTheRepositoryTemplate() {
        StackTemplate template = StackTemplate.read(StackTemplate.find(Path.of("")));

        assertThat(template.functions()).extracting(StackTemplate.Function::handlerClass).containsExactly(
                "io.shopsync.orders.OrderToCrm", "io.shopsync.stock.StockToInventory",
                "io.shopsync.fulfilments.FulfilmentToCrm");
        assertThat(template.functions()).extracting(f -> f.method() + " " + f.path()).containsExactly(
                "POST /webhooks/orders", "POST /webhooks/inventory", "POST /webhooks/fulfilments");
        StackTemplate.Queue orders = template.functions().get(0).queue();
        assertThat(orders.logicalId()).isEqualTo("OrderToCrmQueue");
        assertThat(orders.name()).isEqualTo("shopsync-local-order-to-crm.fifo");
        assertThat(orders.fifo()).isTrue();
        assertThat(orders.contentBasedDeduplication()).isFalse();
        assertThat(orders.visibilityTimeoutSeconds()).isEqualTo(180);
        assertThat(orders.maxReceiveCount()).as("the backstop above MaxAttempts (8)").isEqualTo(40);
        assertThat(orders.deadLetterQueue()).isEqualTo(new StackTemplate.DeadLetterQueue(
                "OrderToCrmDeadLetterQueue", "shopsync-local-order-to-crm-dlq.fifo", true));
        assertThat(template.functions()).hasSize(3)
                .allSatisfy(f -> assertThat(KnownFlows.forHandlerClass(f.handlerClass())).isPresent());
    }

    @Test
    void read_resolvesRefToTheParameterDefault_andGlobalsHandler_andGeneratesMissingQueueNames() throws IOException {
        StackTemplate template = StackTemplate.read(write(VALID));

        StackTemplate.Function function = template.functions().get(0);
        assertThat(function.handlerClass()).isEqualTo("io.shopsync.orders.OrderToCrm");
        assertThat(function.method()).isEqualTo("POST");
        assertThat(function.queue().maxReceiveCount()).isEqualTo(5);
        assertThat(function.queue().visibilityTimeoutSeconds()).isEqualTo(45);
        assertThat(function.queue().name()).isEqualTo("shopsync-local-orders.fifo");
        assertThat(function.queue().deadLetterQueue().name()).isEqualTo("shopsync-local-DeadLetterQueue.fifo");
    }

    /**
     * The reconciler runs on a schedule only: not a webhook flow, but read with its handler, schedule and
     * settings, so the local stack runs it on its own timer.
     */
    @Test
    void read_keepsAFunctionOnlyAScheduleInvokes_apartFromTheFlows() throws IOException {
        Path file = write(VALID + """
                  ReconcilerFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: io.shopsync.reconciler.Reconcile::handleRequest
                      Events:
                        Schedule:
                          Type: ScheduleV2
                          Properties:
                            ScheduleExpression: rate(15 minutes)
                """);

        StackTemplate template = StackTemplate.read(file);

        assertThat(template.functions()).extracting(StackTemplate.Function::logicalId).containsExactly("OrdersFunction");
        assertThat(template.scheduled()).singleElement().satisfies(reconciler -> {
            assertThat(reconciler.logicalId()).isEqualTo("ReconcilerFunction");
            assertThat(reconciler.handlerClass()).isEqualTo("io.shopsync.reconciler.Reconcile");
            assertThat(reconciler.schedule()).isEqualTo("rate(15 minutes)");
        });
    }

    @Test
    void read_resolvesTheRepositoryReconcilersSchedule_andSettings_fromParameterDefaults() {
        StackTemplate.Scheduled reconciler = StackTemplate.read(StackTemplate.find(Path.of(""))).scheduled().get(0);

        assertThat(reconciler.schedule()).isEqualTo("rate(15 minutes)");
        assertThat(reconciler.settings()).containsEntry("CRM_TARGETS", "hubspot").containsEntry("RECONCILE_DRY_RUN", "false")
                .containsKey("SHOPIFY_ADMIN_TOKENS_SECRET_ID").doesNotContainKey("ORDER_WORK_QUEUE_URL");
    }

    @Test
    void read_keepsAFunctionsSecondRoute_thePrivacyRoute_besideItsWebhookRoute() {
        StackTemplate.Function orders = StackTemplate.read(StackTemplate.find(Path.of(""))).functions().stream()
                .filter(f -> f.logicalId().equals("OrderToCrmFunction")).findFirst().orElseThrow();

        assertThat(orders.path()).isEqualTo("/webhooks/orders");
        assertThat(orders.morePaths()).containsExactly("/webhooks/privacy");
    }

    @Test
    void read_fails_namingTheFunction_whenItHasNoHttpApiEvent() throws IOException {
        Path file = write(VALID.replace("Type: HttpApi", "Type: Api"));

        assertThatThrownBy(() -> StackTemplate.read(file)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("function OrdersFunction has no HttpApi event");
    }

    @Test
    void read_fails_namingTheQueue_whenItHasNoRedrivePolicy() throws IOException {
        Path file = write(VALID.replaceAll("(?m)^ *RedrivePolicy:\n.*\n.*\n", ""));

        assertThatThrownBy(() -> StackTemplate.read(file)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("queue WorkQueue has no RedrivePolicy");
    }

    @Test
    void read_fails_whenMaxReceiveCountRefersToAParameterWithoutDefault() throws IOException {
        Path file = write(VALID.replace("    Default: 5\n", ""));

        assertThatThrownBy(() -> StackTemplate.read(file)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("parameter MaxReceiveCount, which has no Default");
    }

    @Test
    void read_fails_whenTheQueueTriggerDoesNotReportBatchItemFailures() throws IOException {
        Path file = write(VALID.replace("FunctionResponseTypes: [ReportBatchItemFailures]", "BatchSize: 10"));

        assertThatThrownBy(() -> StackTemplate.read(file)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("lacks FunctionResponseTypes: [ReportBatchItemFailures]");
    }

    @Test
    void find_fails_withWhatToDo_whenNoTemplateIsAbove() {
        assertThatThrownBy(() -> StackTemplate.find(dir)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("pass --template PATH");
    }

    @Test
    void cloudFormationYaml_readsShortTagsAsTheirLongForms() throws IOException {
        Path file = write("""
                A: !Ref Thing
                B: !GetAtt Queue.Arn
                C: !Sub "${AWS::StackName}-x"
                D: !Join [",", [a, b]]
                E: !If [IsProd, !Ref X, !Ref "AWS::NoValue"]
                """);

        Map<String, Object> yaml = CloudFormationYaml.read(file);

        assertThat(yaml.get("A")).isEqualTo(Map.of("Ref", "Thing"));
        assertThat(yaml.get("B")).isEqualTo(Map.of("Fn::GetAtt", List.of("Queue", "Arn")));
        assertThat(yaml.get("C")).isEqualTo(Map.of("Fn::Sub", "${AWS::StackName}-x"));
        assertThat(yaml.get("D")).isEqualTo(Map.of("Fn::Join", List.of(",", List.of("a", "b"))));
        assertThat(yaml.get("E")).isEqualTo(Map.of("Fn::If",
                List.of("IsProd", Map.of("Ref", "X"), Map.of("Ref", "AWS::NoValue"))));
    }
}
