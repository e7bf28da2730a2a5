package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.DeliverySettings;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.flow.Flow;
import io.shopsync.flow.WebhookRoutes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules for template.yaml that cfn-lint cannot know, because they are about this application: how its
 * code reads the environment, which flow takes which topics, what its runbooks cover. Each rule returns
 * the violations it finds in a parsed template (CloudFormation tags in their long form, through
 * {@link CloudFormationYaml}); each is checked against the real template, and against a deliberately broken
 * copy so that a rule that could never fail would fail its own test.
 */
class TemplateRulesTest {

    private static final Path TEMPLATE = StackTemplate.find(Path.of(""));
    private static final Path ROOT = TEMPLATE.getParent();
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Variables the code reads that a deployment does not set, each for a reason. Everything else the code
     * reads must be set by template.yaml, and everything the template sets must be read by the code.
     */
    private static final Set<String> NOT_SET_BY_THE_TEMPLATE = Set.of(
            // Local runs and tests only: the secret itself instead of its Secrets Manager id.
            "SHOPIFY_WEBHOOK_SECRET", "HUBSPOT_TOKEN", "KLAVIYO_API_KEY", "KATANA_API_KEY",
            "INVENTORY_WEBHOOK_SECRET", "SHOPIFY_ADMIN_TOKENS",
            // Tests only: where a connector's API is (a WireMock server); deployed, the real API's.
            "HUBSPOT_BASE_URL", "KLAVIYO_BASE_URL", "KATANA_BASE_URL", "SHOPIFY_ADMIN_BASE_URL",
            // A local AWS endpoint (moto, LocalStack); Lambda itself sets AWS_REGION and AWS_LAMBDA_FUNCTION_NAME.
            "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME",
            // Optional: a folder (a Lambda layer) whose mapping files replace the shipped ones.
            "MAPPINGS_DIR",
            // Optional tuning with defaults in the code (README: function configuration).
            "LEASE_SECONDS", "BACKOFF_BASE_SECONDS", "BACKOFF_MAX_SECONDS", "ALERT_WINDOW_MINUTES", "DELIVERY_CALL_BUDGET_SECONDS",
            "CLAIM_CHECK_THRESHOLD_BYTES", "KATANA_REQUESTS_PER_MINUTE", "SHOPIFY_API_VERSION",
            "RECONCILE_OVERLAP_MINUTES", "RECONCILE_LAG_MINUTES", "RECONCILE_FIRST_WINDOW_MINUTES", "RECONCILE_MAX_WINDOW_HOURS");

    /** Set by the template for the JVM, not for our code. */
    private static final Set<String> READ_BY_THE_RUNTIME = Set.of("JAVA_TOOL_OPTIONS");

    /** Where each flow's webhooks arrive, as the README and the events/ samples say. */
    private static final Map<String, String> ROUTE_OF_FLOW = Map.of(
            "order-to-crm", "/webhooks/orders",
            "stock-to-inventory", "/webhooks/inventory",
            "fulfilment-to-crm", "/webhooks/fulfilments");

    /**
     * The flow whose function also takes Shopify's privacy webhooks, on {@link WebhookRoutes#PRIVACY_PATH}: it erases a
     * person's or a shop's claim checks in every flow's prefix, so it alone may list the bucket and read and delete
     * there.
     */
    private static final String PRIVACY_FLOW = "order-to-crm";

    // ---- The rules ----

    /**
     * The idempotency table has the indexes the trace queries, keyed and projected as the delivery store reads them
     * (DynamoDbDeliveryStore.ENTITY_INDEX and WEBHOOK_INDEX with their attributes), each key declared as a string.
     */
    static List<String> entityIndex(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        violations.addAll(index(template, DynamoDbDeliveryStore.ENTITY_INDEX, "entity",
                DynamoDbDeliveryStore.ENTITY_INDEX_ATTRIBUTES));
        violations.addAll(index(template, DynamoDbDeliveryStore.WEBHOOK_INDEX, "webhookId",
                DynamoDbDeliveryStore.WEBHOOK_INDEX_ATTRIBUTES));
        return violations;
    }

    private static List<String> index(Map<String, Object> template, String name, String key, List<String> attributes) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> table = properties(map(template.get("Resources")).get("IdempotencyTable"));
        boolean declared = ((List<?>) table.getOrDefault("AttributeDefinitions", List.of())).stream().map(d -> map(d))
                .anyMatch(d -> key.equals(d.get("AttributeName")) && "S".equals(d.get("AttributeType")));
        if (!declared) {
            violations.add("IdempotencyTable does not declare attribute " + key + " as S");
        }
        Map<String, Object> index = ((List<?>) table.getOrDefault("GlobalSecondaryIndexes", List.of())).stream()
                .map(i -> map(i)).filter(i -> name.equals(i.get("IndexName")))
                .findFirst().orElse(null);
        if (index == null) {
            violations.add("IdempotencyTable has no index " + name + ": the trace queries it");
            return violations;
        }
        List<?> keys = (List<?>) index.get("KeySchema");
        if (keys == null || keys.size() != 1 || !key.equals(map(keys.get(0)).get("AttributeName"))) {
            violations.add(name + " is not keyed by " + key + " alone: " + keys);
        }
        Map<String, Object> projection = map(index.get("Projection"));
        Set<Object> projected = new TreeSet<>(Comparator.comparing(String::valueOf));
        projected.addAll((List<?>) projection.getOrDefault("NonKeyAttributes", List.of()));
        Set<Object> wanted = new TreeSet<>(Comparator.comparing(String::valueOf));
        wanted.addAll(attributes);
        if (!"ALL".equals(projection.get("ProjectionType")) && !projected.equals(wanted)) {
            violations.add(name + " projects " + projected + ", the store reads " + wanted);
        }
        return violations;
    }

    /** Every SQS trigger reports failed messages one by one and has a maximum concurrency Lambda accepts (2+). */
    static List<String> sqsTriggers(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        functions(template).forEach((id, function) -> map(function.get("Events")).forEach((name, event) -> {
            Map<String, Object> body = map(event);
            if (!"SQS".equals(body.get("Type"))) {
                return;
            }
            Map<String, Object> properties = map(body.get("Properties"));
            if (!list(properties.get("FunctionResponseTypes")).contains("ReportBatchItemFailures")) {
                violations.add(id + " event " + name + " does not report batch item failures: one failed message"
                        + " would make SQS retry the whole batch (FunctionResponseTypes: [ReportBatchItemFailures])");
            }
            Object maximum = map(properties.get("ScalingConfig")).get("MaximumConcurrency");
            if (maximum == null) {
                violations.add(id + " event " + name + " has no ScalingConfig.MaximumConcurrency: nothing protects"
                        + " the target's rate limit");
            } else if (number(template, maximum, "MinValue") < 2) {
                violations.add(id + " event " + name + " may set MaximumConcurrency below 2, which Lambda rejects");
            }
        }));
        return violations;
    }

    /** Every work queue (a queue with a RedrivePolicy) has a DLQ in the template, and an alarm on any message in it. */
    static List<String> deadLetterQueues(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> resources = map(template.get("Resources"));
        resources.forEach((id, resource) -> {
            if (!"AWS::SQS::Queue".equals(type(resource))) {
                return;
            }
            Map<String, Object> redrive = map(properties(resource).get("RedrivePolicy"));
            if (redrive.isEmpty()) {
                return;
            }
            String dlq = logicalIdOf(redrive.get("deadLetterTargetArn"));
            if (dlq == null || !"AWS::SQS::Queue".equals(type(resources.get(dlq)))) {
                violations.add("work queue " + id + " has no dead-letter queue of this template (RedrivePolicy."
                        + "deadLetterTargetArn: !GetAtt <Queue>.Arn)");
                return;
            }
            boolean alarmed = alarms(template).values().stream().anyMatch(alarm ->
                    "AWS/SQS".equals(alarm.get("Namespace"))
                            && "ApproximateNumberOfMessagesVisible".equals(alarm.get("MetricName"))
                            && list(alarm.get("Dimensions")).stream().map(TemplateRulesTest::map).anyMatch(d ->
                                    "QueueName".equals(d.get("Name")) && dlq.equals(logicalIdOf(d.get("Value"))))
                            && "GreaterThanThreshold".equals(alarm.get("ComparisonOperator"))
                            && number(template, alarm.get("Threshold"), "Default") == 0);
            if (!alarmed) {
                violations.add("dead-letter queue " + dlq + " (of " + id + ") has no alarm on any message in it"
                        + " (AWS/SQS ApproximateNumberOfMessagesVisible > 0)");
            }
        });
        return violations;
    }

    /** Every alarm notifies the alerts topic and points to a runbook section that docs/operations.md has. */
    static List<String> alarmsNotifyAndHaveRunbooks(Map<String, Object> template, Set<String> runbookAnchors) {
        List<String> violations = new ArrayList<>();
        Pattern runbook = Pattern.compile("docs/operations\\.md#([a-z0-9-]+)");
        alarms(template).forEach((id, alarm) -> {
            if (!list(alarm.get("AlarmActions")).contains(Map.of("Ref", "AlertsTopic"))) {
                violations.add("alarm " + id + " does not notify the alerts topic (AlarmActions: [!Ref AlertsTopic])");
            }
            Matcher matcher = runbook.matcher(String.valueOf(alarm.get("AlarmDescription")));
            if (!matcher.find()) {
                violations.add("alarm " + id + " has no runbook link (docs/operations.md#<section>) in its AlarmDescription");
            } else if (!runbookAnchors.contains(matcher.group(1))) {
                violations.add("alarm " + id + " points to docs/operations.md#" + matcher.group(1)
                        + ", which docs/operations.md has no section for");
            }
        });
        if (alarms(template).isEmpty()) {
            violations.add("the template has no alarms");
        }
        return violations;
    }

    /** An alarm the reconciler's checks need: on their metric and {@code flow}, above zero, with their runbook. */
    record ReconcileAlarm(String metric, String flow, String runbook) {}

    /** What the reconciler's stock and subscription checks emit, and the runbooks their alerts name. */
    static final List<ReconcileAlarm> RECONCILE_ALARMS = List.of(
            new ReconcileAlarm(io.shopsync.reconcile.stock.StockDriftCheck.DRIFT_FOUND, io.shopsync.flow.StockFlow.FLOW.name(),
                    io.shopsync.reconcile.stock.StockDriftCheck.RUNBOOK),
            new ReconcileAlarm(io.shopsync.reconcile.SubscriptionReconciliation.SUBSCRIPTIONS_MISSING,
                    io.shopsync.reconcile.Reconciler.NAME, io.shopsync.reconcile.SubscriptionReconciliation.RUNBOOK),
            // Missed webhooks, per flow whose queue a check feeds: orders, and fulfilments.
            new ReconcileAlarm("MissedQueued", io.shopsync.flow.OrderFlow.FLOW.name(), "docs/operations.md#webhooks-missed"),
            new ReconcileAlarm("MissedQueued", io.shopsync.flow.FulfilmentFlow.FLOW.name(), "docs/operations.md#webhooks-missed"));

    /**
     * Each metric of {@link #RECONCILE_ALARMS} has an alarm: namespace Shopsync, its metric with dimension {@code flow}
     * as the check emits it, Sum above 0, missing data not breaching (a stack without the check emits nothing), and
     * the runbook the check's alerts name, a section docs/operations.md has.
     */
    /** The alarm's one {@code flow} dimension's value, or null. */
    private static String flowDimension(Map<String, Object> alarm) {
        List<Object> dimensions = list(alarm.get("Dimensions"));
        return dimensions.size() == 1 && "flow".equals(map(dimensions.get(0)).get("Name"))
                ? String.valueOf(map(dimensions.get(0)).get("Value")) : null;
    }

    static List<String> reconcileAlarms(Map<String, Object> template, Set<String> runbookAnchors) {
        List<String> violations = new ArrayList<>();
        for (ReconcileAlarm wanted : RECONCILE_ALARMS) {
            String anchor = wanted.runbook().substring(wanted.runbook().indexOf('#') + 1);
            if (!runbookAnchors.contains(anchor)) {
                violations.add("the reconciler's " + wanted.metric() + " alerts point to " + wanted.runbook()
                        + ", which docs/operations.md has no section for");
            }
            // A metric several checks emit (MissedQueued) has an alarm per flow: this one's, and those of the others.
            Set<String> flowsOfMetric = RECONCILE_ALARMS.stream().filter(other -> other.metric().equals(wanted.metric()))
                    .map(ReconcileAlarm::flow).collect(java.util.stream.Collectors.toSet());
            List<String> alarmIds = alarms(template).entrySet().stream()
                    .filter(e -> wanted.metric().equals(e.getValue().get("MetricName")))
                    .filter(e -> !flowsOfMetric.contains(flowDimension(e.getValue()))
                            || wanted.flow().equals(flowDimension(e.getValue())))
                    .map(Map.Entry::getKey).toList();
            if (alarmIds.isEmpty()) {
                violations.add("no alarm watches the reconciler's " + wanted.metric() + " (flow " + wanted.flow() + ")");
            }
            for (String id : alarmIds) {
                Map<String, Object> alarm = alarms(template).get(id);
                List<Object> dimensions = list(alarm.get("Dimensions"));
                boolean flow = dimensions.size() == 1 && "flow".equals(map(dimensions.get(0)).get("Name"))
                        && wanted.flow().equals(map(dimensions.get(0)).get("Value"));
                if (!"Shopsync".equals(alarm.get("Namespace")) || !flow) {
                    violations.add("alarm " + id + " watches " + alarm.get("Namespace") + " " + wanted.metric() + " with "
                            + dimensions + ": the reconciler emits it in Shopsync with the one dimension flow="
                            + wanted.flow());
                }
                if (!"Sum".equals(alarm.get("Statistic")) || !"GreaterThanThreshold".equals(alarm.get("ComparisonOperator"))
                        || number(template, alarm.get("Threshold"), "Default") != 0
                        || !"notBreaching".equals(alarm.get("TreatMissingData"))) {
                    violations.add("alarm " + id + " must fire on any " + wanted.metric() + " (Sum, GreaterThanThreshold 0,"
                            + " TreatMissingData notBreaching)");
                }
                if (!String.valueOf(alarm.get("AlarmDescription")).contains(wanted.runbook())) {
                    violations.add("alarm " + id + " does not point to " + wanted.runbook() + ", the runbook its alerts name");
                }
            }
        }
        return violations;
    }

    /** A trigger queue's visibility timeout is at least six times its function's timeout, as AWS advises. */
    static List<String> visibilityTimeouts(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> resources = map(template.get("Resources"));
        functions(template).forEach((id, function) -> {
            long timeout = function.containsKey("Timeout") ? number(template, function.get("Timeout"), "Default") : 3;
            map(function.get("Events")).forEach((name, event) -> {
                if (!"SQS".equals(map(event).get("Type"))) {
                    return;
                }
                String queue = logicalIdOf(map(map(event).get("Properties")).get("Queue"));
                Map<String, Object> queueProperties = properties(resources.get(queue));
                long visibility = queueProperties.containsKey("VisibilityTimeout")
                        ? number(template, queueProperties.get("VisibilityTimeout"), "Default") : 30;
                if (visibility < 6 * timeout) {
                    violations.add("queue " + queue + " has VisibilityTimeout " + visibility + " but its function " + id
                            + " may run " + timeout + " s: make it at least " + 6 * timeout);
                }
            });
        });
        return violations;
    }

    /**
     * No Allow statement grants every action ("*", "service:*") or uses NotAction/NotResource; our own
     * (identity) statements name their resources (no "*") and their actions exactly (no wildcard), and use
     * only scoped SAM policy templates, never a managed policy by name. A key policy's Resource "*" means
     * the key itself and is allowed there. The managed policies SAM would add to a role it generates are
     * {@link #functionRoles}' concern.
     */
    static List<String> leastPrivilege(Map<String, Object> template) {
        Set<String> scopedPolicyTemplates = Set.of(
                "SQSSendMessagePolicy", "SNSPublishMessagePolicy", "AWSSecretsManagerGetSecretValuePolicy");
        List<String> violations = new ArrayList<>();
        Map<String, Map<String, Object>> identity = new LinkedHashMap<>();
        Map<String, Map<String, Object>> resourcePolicies = new LinkedHashMap<>();
        functions(template).forEach((id, function) -> {
            Object policies = function.get("Policies");
            List<Object> entries = policies instanceof List<?> l ? new ArrayList<>(l)
                    : policies == null ? List.of() : List.of(policies);
            for (Object entry : entries) {
                if (entry instanceof String name) {
                    violations.add(id + " attaches policy " + name + ": name its actions and resources in a Statement");
                } else if (map(entry).containsKey("Statement")) {
                    statements(map(entry).get("Statement")).forEach(s -> identity.put(id + " " + s, s));
                } else {
                    map(entry).forEach((templateName, parameters) -> {
                        if (!scopedPolicyTemplates.contains(templateName)) {
                            violations.add(id + " uses SAM policy template " + templateName + ", which is not known"
                                    + " to be scoped to one resource");
                        }
                        map(parameters).forEach((parameter, value) -> {
                            if (String.valueOf(value).equals("*")) {
                                violations.add(id + " policy template " + templateName + " has " + parameter + ": *");
                            }
                        });
                    });
                }
            }
        });
        map(template.get("Resources")).forEach((id, resource) -> {
            Map<String, Object> properties = properties(resource);
            switch (String.valueOf(type(resource))) {
                case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" ->
                        statements(map(properties.get("PolicyDocument")).get("Statement"))
                                .forEach(s -> identity.put(id + " " + s, s));
                case "AWS::IAM::Role" -> list(properties.get("Policies")).forEach(p ->
                        statements(map(map(p).get("PolicyDocument")).get("Statement"))
                                .forEach(s -> identity.put(id + " " + s, s)));
                case "AWS::KMS::Key" -> statements(map(properties.get("KeyPolicy")).get("Statement"))
                        .forEach(s -> resourcePolicies.put(id + " " + s, s));
                case "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy" ->
                        statements(map(properties.get("PolicyDocument")).get("Statement"))
                                .forEach(s -> resourcePolicies.put(id + " " + s, s));
                default -> { }
            }
        });
        Map<String, Map<String, Object>> all = new LinkedHashMap<>(identity);
        all.putAll(resourcePolicies);
        all.forEach((where, statement) -> {
            if (!"Allow".equals(statement.get("Effect"))) {
                return; // a wildcard in a Deny only widens the protection
            }
            if (statement.containsKey("NotAction") || statement.containsKey("NotResource")) {
                violations.add(where + ": an Allow with NotAction or NotResource grants everything else");
            }
            for (Object action : list(statement.get("Action"))) {
                String text = String.valueOf(action);
                if (text.equals("*") || text.endsWith(":*")) {
                    violations.add(where + ": Allow of every action (" + text + ")");
                }
            }
            if ("*".equals(statement.get("Principal")) || Map.of("AWS", "*").equals(statement.get("Principal"))) {
                violations.add(where + ": Allow to any principal");
            }
        });
        identity.forEach((where, statement) -> {
            if (!"Allow".equals(statement.get("Effect"))) {
                return;
            }
            for (Object action : list(statement.get("Action"))) {
                if (String.valueOf(action).contains("*")) {
                    violations.add(where + ": wildcard in action " + action + ": name the actions the code calls");
                }
            }
            for (Object resource : list(statement.get("Resource"))) {
                if ("*".equals(resource)) {
                    violations.add(where + ": Resource \"*\": name the resource (!Ref, !GetAtt, !Sub)");
                }
            }
        });
        return violations;
    }

    /** What Lambda's SQS trigger (the event source mapping) needs on its queue, in the function's role. */
    static final Set<String> TRIGGER_ACTIONS = Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes");
    /** What a function may do on its own work queue: the trigger's actions, the retry delay, and intake's send. */
    static final Set<String> WORK_QUEUE_ACTIONS = Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage",
            "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility", "sqs:SendMessage");
    /** Lambda writing the function's logs into its log group (which the template creates, so no CreateLogGroup). */
    static final Set<String> LOG_ACTIONS = Set.of("logs:CreateLogStream", "logs:PutLogEvents");

    /**
     * Every function runs with a role of its own from this template, never one SAM generates: SAM's role
     * carries AWSLambdaBasicExecutionRole (any log group) and, for an SQS trigger,
     * AWSLambdaSQSQueueExecutionRole (receive and delete on every queue of the account). The role has no
     * managed policy, is assumed by Lambda only, and its SQS and log grants name only the function's own
     * work queue (its trigger), that queue's DLQ (send only), the queues its environment names
     * ({@code *_QUEUE_URL}, send only: the reconciler's order queue) and its own log group; it grants
     * everything the trigger, the logs and the code need there.
     */
    static List<String> functionRoles(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> resources = map(template.get("Resources"));
        Map<String, String> functionOfRole = new LinkedHashMap<>();
        functions(template).forEach((id, function) -> {
            String role = logicalIdOf(function.get("Role"));
            if (role == null || !"AWS::IAM::Role".equals(type(resources.get(role)))) {
                violations.add(id + " has no Role of this template (Role: !GetAtt <Role>.Arn): SAM would generate one"
                        + " with AWSLambdaBasicExecutionRole (any log group) and AWSLambdaSQSQueueExecutionRole (every"
                        + " queue in the account)");
                return;
            }
            if (function.containsKey("Policies")) {
                violations.add(id + " has Policies next to its Role: SAM ignores them, put the grants in " + role);
            }
            String other = functionOfRole.put(role, id);
            if (other != null) {
                violations.add(id + " shares its role " + role + " with " + other + ": each function gets its own");
            }
            Map<String, Object> roleProperties = properties(resources.get(role));
            if (roleProperties.containsKey("ManagedPolicyArns")) {
                violations.add(role + " (of " + id + ") attaches managed policies " + roleProperties.get("ManagedPolicyArns")
                        + ": name the actions and resources in its own Policies");
            }
            for (Map<String, Object> trust : statements(map(roleProperties.get("AssumeRolePolicyDocument")).get("Statement"))) {
                if ("Allow".equals(trust.get("Effect"))
                        && !Map.of("Service", "lambda.amazonaws.com").equals(trust.get("Principal"))) {
                    violations.add(role + " (of " + id + ") may be assumed by " + trust.get("Principal")
                            + ": only lambda.amazonaws.com runs a function's code");
                }
            }

            String workQueue = triggerQueue(function);
            String deadLetterQueue = workQueue == null ? null
                    : logicalIdOf(map(properties(resources.get(workQueue)).get("RedrivePolicy")).get("deadLetterTargetArn"));
            String logGroup = logicalIdOf(map(function.get("LoggingConfig")).get("LogGroup"));
            String eventsDeadLetterQueue = eventsDeadLetterQueue(template, id);
            Set<String> sendsTo = queuesNamedBy(function);
            Map<String, Set<String>> granted = new LinkedHashMap<>(); // action -> logical ids of its resources
            for (Grant grant : grants(template, role)) {
                String name = grant.action();
                String target = logicalIdOf(grant.resource());
                granted.computeIfAbsent(name, k -> new TreeSet<>()).add(String.valueOf(target));
                if (name.startsWith("sqs:")) {
                    boolean own = target != null && (target.equals(workQueue) && WORK_QUEUE_ACTIONS.contains(name)
                            || (target.equals(deadLetterQueue) || target.equals(eventsDeadLetterQueue))
                                    && name.equals("sqs:SendMessage"));
                    boolean named = target != null && workQueue == null && sendsTo.contains(target)
                            && name.equals("sqs:SendMessage");
                    if (!own && !named) {
                        violations.add(role + " (of " + id + ") grants " + grant + ": only its own work queue "
                                + workQueue + " (" + WORK_QUEUE_ACTIONS + "), its DLQ " + deadLetterQueue
                                + (eventsDeadLetterQueue == null ? "" : " and its EventBridge DLQ " + eventsDeadLetterQueue)
                                + " (sqs:SendMessage)" + (workQueue == null ? ", or sqs:SendMessage on the work queues"
                                + " its environment names " + sendsTo : ""));
                    }
                } else if (name.startsWith("logs:") && (target == null || !target.equals(logGroup)
                        || !LOG_ACTIONS.contains(name))) {
                    violations.add(role + " (of " + id + ") grants " + grant + ": only " + LOG_ACTIONS
                            + " on its own log group " + logGroup);
                }
            }
            List<String> missing = new ArrayList<>();
            if (workQueue != null) {
                WORK_QUEUE_ACTIONS.stream().sorted().filter(a -> !granted.getOrDefault(a, Set.of()).contains(workQueue))
                        .forEach(a -> missing.add(a + " on " + workQueue));
            }
            if (deadLetterQueue != null && !granted.getOrDefault("sqs:SendMessage", Set.of()).contains(deadLetterQueue)) {
                missing.add("sqs:SendMessage on " + deadLetterQueue);
            }
            // Lambda sends a failed asynchronous (EventBridge) invocation to its destination with the function's role.
            if (eventsDeadLetterQueue != null
                    && !granted.getOrDefault("sqs:SendMessage", Set.of()).contains(eventsDeadLetterQueue)) {
                missing.add("sqs:SendMessage on " + eventsDeadLetterQueue);
            }
            if (workQueue == null) {
                sendsTo.stream().filter(q -> map(properties(resources.get(q))).containsKey("RedrivePolicy"))
                        .filter(q -> !granted.getOrDefault("sqs:SendMessage", Set.of()).contains(q))
                        .forEach(q -> missing.add("sqs:SendMessage on " + q));
            }
            if (logGroup != null) {
                LOG_ACTIONS.stream().sorted().filter(a -> !granted.getOrDefault(a, Set.of()).contains(logGroup))
                        .forEach(a -> missing.add(a + " on " + logGroup));
            }
            if (!missing.isEmpty()) {
                violations.add(role + " (of " + id + ") lacks what the trigger, Lambda's logging and the code need: "
                        + String.join(", ", missing));
            }
        });
        return violations;
    }

    /**
     * Each function reads and writes only its own flow's claim checks: S3 grants are s3:PutObject and
     * s3:GetObject on {@code ${ClaimCheckBucket.Arn}/<flow>/*}, where S3ClaimCheckStore keys its objects. A
     * function of no flow (the reconciler) only stores (s3:PutObject) under the prefix of each flow whose work
     * queue its environment names, as that flow's intake would.
     */
    static List<String> claimCheckPrefixes(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        Map<String, String> flowOfQueue = new LinkedHashMap<>();
        functions(template).forEach((id, function) -> {
            Flow flow = flowOf(String.valueOf(function.get("Handler")));
            String queue = triggerQueue(function);
            if (flow != null && queue != null) {
                flowOfQueue.put(queue, flow.name());
            }
        });
        functions(template).forEach((id, function) -> {
            Flow flow = flowOf(String.valueOf(function.get("Handler")));
            String role = logicalIdOf(function.get("Role"));
            if (flow == null && role != null && triggerQueue(function) == null) {
                violations.addAll(claimChecksOfASender(template, id, role, function, flowOfQueue));
                return;
            }
            if (flow == null || role == null) {
                return; // routes() and functionRoles() say why
            }
            String prefix = "${ClaimCheckBucket.Arn}/" + flow.name() + "/*";
            Set<String> granted = new TreeSet<>();
            Set<String> erasure = new TreeSet<>();
            boolean privacy = takesPrivacyWebhooks(function);
            for (Grant grant : grants(template, role)) {
                if (!grant.action().startsWith("s3:")) {
                    continue;
                }
                boolean own = grant.resource() instanceof Map<?, ?> sub && prefix.equals(sub.get("Fn::Sub"))
                        && Set.of("s3:PutObject", "s3:GetObject").contains(grant.action());
                boolean erases = privacy && isErasureGrant(grant);
                if (own) {
                    granted.add(grant.action());
                }
                if (erases) {
                    erasure.add(grant.toString());
                }
                if (!own && !erases) {
                    violations.add(role + " (of " + id + ") grants " + grant + ": only s3:PutObject and s3:GetObject"
                            + " on its flow's claim checks, !Sub \"" + prefix + "\""
                            + (privacy ? ", and what a redaction needs, " + ERASURE_GRANTS : ""));
                }
            }
            if (!granted.equals(Set.of("s3:GetObject", "s3:PutObject"))) {
                violations.add(role + " (of " + id + ") does not grant s3:PutObject and s3:GetObject on " + prefix
                        + ": intake could not store an oversized body, or delivery not read it");
            }
            if (privacy && !erasure.equals(ERASURE_GRANTS)) {
                violations.add(role + " (of " + id + ") takes the privacy webhooks but grants " + erasure + " instead of "
                        + ERASURE_GRANTS + ": a redaction could not find or delete the claim-checked bodies it names");
            }
        });
        return violations;
    }

    /** What a redaction needs in the bucket: list it, and read and delete in every flow's prefix. */
    private static final Set<String> ERASURE_GRANTS = eraseGrants();

    private static Set<String> eraseGrants() {
        Set<String> grants = new TreeSet<>(Set.of("s3:ListBucket on ClaimCheckBucket"));
        for (String flow : ROUTE_OF_FLOW.keySet()) {
            grants.add("s3:GetObject on ${ClaimCheckBucket.Arn}/" + flow + "/*");
            grants.add("s3:DeleteObject on ${ClaimCheckBucket.Arn}/" + flow + "/*");
        }
        return grants;
    }

    private static boolean isErasureGrant(Grant grant) {
        return ERASURE_GRANTS.contains(grant.toString());
    }

    private static boolean takesPrivacyWebhooks(Map<String, Object> function) {
        return map(function.get("Events")).values().stream().anyMatch(event -> "HttpApi".equals(map(event).get("Type"))
                && WebhookRoutes.PRIVACY_PATH.equals(map(map(event).get("Properties")).get("Path")));
    }

    /** s3:PutObject only, on the claim-check prefix of each flow whose work queue the function sends to. */
    private static List<String> claimChecksOfASender(Map<String, Object> template, String id, String role,
                                                     Map<String, Object> function, Map<String, String> flowOfQueue) {
        List<String> violations = new ArrayList<>();
        Set<String> prefixes = new TreeSet<>();
        queuesNamedBy(function).stream().map(flowOfQueue::get).filter(java.util.Objects::nonNull)
                .forEach(flow -> prefixes.add("${ClaimCheckBucket.Arn}/" + flow + "/*"));
        Set<String> granted = new TreeSet<>();
        for (Grant grant : grants(template, role)) {
            if (!grant.action().startsWith("s3:")) {
                continue;
            }
            Object prefix = grant.resource() instanceof Map<?, ?> sub ? sub.get("Fn::Sub") : null;
            if (!"s3:PutObject".equals(grant.action()) || !prefixes.contains(prefix)) {
                violations.add(role + " (of " + id + ") grants " + grant + ": only s3:PutObject on the claim checks"
                        + " of the flows whose queues it sends to, " + prefixes);
            } else {
                granted.add(String.valueOf(prefix));
            }
        }
        if (!granted.equals(prefixes)) {
            violations.add(role + " (of " + id + ") does not grant s3:PutObject on " + prefixes + ": an oversized"
                    + " envelope could not be claim-checked");
        }
        return violations;
    }

    /** The queues a function's environment names ({@code *_QUEUE_URL: !Ref <Queue>}). */
    private static Set<String> queuesNamedBy(Map<String, Object> function) {
        Set<String> queues = new TreeSet<>();
        map(map(function.get("Environment")).get("Variables")).forEach((variable, value) -> {
            if (variable.endsWith("_QUEUE_URL") && logicalIdOf(value) != null) {
                queues.add(logicalIdOf(value));
            }
        });
        return queues;
    }

    /**
     * Secret grants name one secret each: its ARN ends in {@code -??????}, the six characters Secrets
     * Manager appends, so a grant on {@code shopsync/hubspot-token} does not also open
     * {@code shopsync/hubspot-token-old}. A function may read exactly the secrets its environment names
     * ({@code *_SECRET_ID: !Ref <Parameter>}), no others.
     */
    static List<String> secretGrants(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        Pattern exact = Pattern.compile("^arn:\\$\\{AWS::Partition}:secretsmanager:\\$\\{AWS::Region}:"
                + "\\$\\{AWS::AccountId}:secret:\\$\\{([A-Za-z0-9]+)}-\\?\\?\\?\\?\\?\\?$");
        functions(template).forEach((id, function) -> {
            String role = logicalIdOf(function.get("Role"));
            if (role == null) {
                return; // functionRoles() says why
            }
            Set<String> needed = new TreeSet<>();
            map(map(function.get("Environment")).get("Variables")).forEach((variable, value) -> {
                if (variable.endsWith("_SECRET_ID") && logicalIdOf(value) != null) {
                    needed.add(logicalIdOf(value));
                }
            });
            Set<String> granted = new TreeSet<>();
            for (Grant grant : grants(template, role)) {
                if (!grant.action().startsWith("secretsmanager:")) {
                    continue;
                }
                Matcher matcher = exact.matcher(String.valueOf(map(grant.resource()).get("Fn::Sub")));
                if (!grant.action().equals("secretsmanager:GetSecretValue")) {
                    violations.add(role + " (of " + id + ") grants " + grant + ": the code only reads secrets"
                            + " (secretsmanager:GetSecretValue)");
                } else if (!matcher.matches()) {
                    violations.add(role + " (of " + id + ") grants " + grant + ": name one secret, !Sub \"arn:"
                            + "${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
                            + "${<NameParameter>}-??????\" (not -*, which also matches <name>-old)");
                } else if (!needed.contains(matcher.group(1))) {
                    violations.add(role + " (of " + id + ") may read the secret ${" + matcher.group(1)
                            + "}, which no *_SECRET_ID of " + id + " names");
                } else {
                    granted.add(matcher.group(1));
                }
            }
            for (String parameter : needed) {
                if (!granted.contains(parameter)) {
                    violations.add(role + " (of " + id + ") cannot read the secret ${" + parameter + "} its environment"
                            + " names: grant secretsmanager:GetSecretValue on its ARN ending -??????");
                }
            }
        });
        return violations;
    }

    /**
     * A key policy statement that lets an AWS service use a key is limited to this account's use of that
     * service ({@code aws:SourceAccount}), so another account's alarms cannot publish through our key.
     */
    static List<String> serviceKeyGrants(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        map(template.get("Resources")).forEach((id, resource) -> {
            if (!"AWS::KMS::Key".equals(type(resource))) {
                return;
            }
            for (Map<String, Object> statement : statements(map(properties(resource).get("KeyPolicy")).get("Statement"))) {
                if (!"Allow".equals(statement.get("Effect")) || !map(statement.get("Principal")).containsKey("Service")) {
                    continue;
                }
                Object account = map(map(statement.get("Condition")).get("StringEquals")).get("aws:SourceAccount");
                if (!Map.of("Ref", "AWS::AccountId").equals(account)) {
                    violations.add("key " + id + " statement " + statement.get("Sid") + " lets "
                            + map(statement.get("Principal")).get("Service") + " use the key for any account: add"
                            + " Condition: StringEquals: aws:SourceAccount: !Ref AWS::AccountId");
                }
            }
        });
        return violations;
    }

    /** Every function runs SnapStart on published versions behind an alias, and never with provisioned concurrency. */
    static List<String> snapStart(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        functions(template).forEach((id, function) -> {
            boolean snapStart = "PublishedVersions".equals(map(function.get("SnapStart")).get("ApplyOn"));
            if (!snapStart) {
                violations.add(id + " has no SnapStart: ApplyOn: PublishedVersions");
            }
            if (function.get("AutoPublishAlias") == null) {
                violations.add(id + " has no AutoPublishAlias: SnapStart applies to published versions only, and the"
                        + " triggers must invoke one through the alias");
            }
            if (snapStart && function.containsKey("ProvisionedConcurrencyConfig")) {
                violations.add(id + " combines SnapStart with ProvisionedConcurrencyConfig, which Lambda does not allow");
            }
        });
        return violations;
    }

    /**
     * Every environment variable the code reads is set by the template (or listed in
     * {@link #NOT_SET_BY_THE_TEMPLATE} with its reason), and every one the template sets is read. What
     * FlowEnvironment reads for itself, every flow's function needs (ReconcilerEnvironment's, the function
     * of no flow); what a flow module reads, its function needs; what the shared connectors read, at least
     * one function needs.
     */
    static List<String> environment(Map<String, Object> template, CodeVariables code) {
        List<String> violations = new ArrayList<>();
        Map<String, Map<String, Object>> functions = functions(template);
        Map<String, Set<String>> setBy = new LinkedHashMap<>();
        functions.forEach((id, function) ->
                setBy.put(id, new TreeSet<>(map(map(function.get("Environment")).get("Variables")).keySet())));
        Set<String> setAnywhere = setBy.values().stream().flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new));
        setBy.forEach((id, variables) -> {
            boolean ofAFlow = flowOf(String.valueOf(functions.get(id).get("Handler"))) != null;
            Set<String> needed = ofAFlow ? code.everyFunction() : code.reconciler();
            for (String variable : needed) {
                if (!variables.contains(variable) && !NOT_SET_BY_THE_TEMPLATE.contains(variable)) {
                    violations.add(id + " does not set " + variable + ", which "
                            + (ofAFlow ? "FlowEnvironment reads for every flow's function" : "ReconcilerEnvironment reads"));
                }
            }
        });
        code.byModule().forEach((module, variables) -> functions.forEach((id, function) -> {
            if (!module.equals(code.moduleOfHandler(String.valueOf(function.get("Handler"))))) {
                return;
            }
            for (String variable : variables) {
                if (!setBy.get(id).contains(variable) && !NOT_SET_BY_THE_TEMPLATE.contains(variable)) {
                    violations.add(id + " does not set " + variable + ", which its module " + module + " reads");
                }
            }
        }));
        for (String variable : code.shared()) {
            if (!setAnywhere.contains(variable) && !NOT_SET_BY_THE_TEMPLATE.contains(variable)) {
                violations.add("no function sets " + variable + ", which the shared runtime reads");
            }
        }
        Set<String> read = code.all();
        for (String variable : setAnywhere) {
            if (!read.contains(variable) && !READ_BY_THE_RUNTIME.contains(variable)) {
                violations.add("the template sets " + variable + ", which no code reads (a typo, or a leftover)");
            }
        }
        return violations;
    }

    /**
     * Every webhook route belongs to a function whose flow (its Handler class's FLOW) takes the topics posted
     * there: the route is the one README and events/ give for the flow, and every sample event in
     * events/&lt;flow&gt;/ goes to that route with a topic the flow accepts.
     */
    static List<String> routes(Map<String, Object> template, List<SampleEvent> samples) {
        List<String> violations = new ArrayList<>();
        Map<String, Flow> flowOfPath = new LinkedHashMap<>();
        functions(template).forEach((id, function) -> {
            Flow flow = flowOf(String.valueOf(function.get("Handler")));
            boolean takesWebhooks = map(function.get("Events")).values().stream()
                    .anyMatch(event -> Set.of("HttpApi", "SQS").contains(map(event).get("Type")));
            if (flow == null) {
                if (takesWebhooks) {
                    violations.add(id + " has Handler " + function.get("Handler") + ", whose class has no public static Flow FLOW");
                }
                return;
            }
            map(function.get("Events")).forEach((name, event) -> {
                if (!"HttpApi".equals(map(event).get("Type"))) {
                    return;
                }
                Map<String, Object> properties = map(map(event).get("Properties"));
                String path = String.valueOf(properties.get("Path"));
                flowOfPath.put(path, flow);
                if (!"POST".equalsIgnoreCase(String.valueOf(properties.get("Method")))) {
                    violations.add(id + " route " + path + " is not POST, which Shopify sends");
                }
                String expected = ROUTE_OF_FLOW.get(flow.name());
                if (path.equals(WebhookRoutes.PRIVACY_PATH)) {
                    if (!flow.name().equals(PRIVACY_FLOW)) {
                        violations.add(id + " serves the privacy webhooks on " + path + ", but only flow " + PRIVACY_FLOW
                                + "'s function takes them (and may erase what they name)");
                    }
                    return;
                }
                if (!path.equals(expected)) {
                    violations.add(id + " serves flow " + flow.name() + " on " + path + ", but README and events/ post"
                            + " its webhooks to " + expected);
                }
            });
        });
        for (SampleEvent sample : samples) {
            Flow flow = flowOfPath.get(sample.path());
            if (flow == null) {
                violations.add(sample.file() + " posts to " + sample.path() + ", which no function serves");
            } else if (!flow.name().equals(sample.flowFolder())) {
                violations.add(sample.file() + " (a " + sample.flowFolder() + " sample) posts to " + sample.path()
                        + ", which serves flow " + flow.name());
            } else if (!flow.topics().contains(sample.topic())) {
                violations.add(sample.file() + " posts topic " + sample.topic() + " to " + sample.path() + ", whose flow "
                        + flow.name() + " takes only " + flow.topics());
            }
        }
        if (samples.isEmpty()) {
            violations.add("events/ has no HTTP API samples to check the routes against");
        }
        return violations;
    }

    /** Every function logs JSON into its own log group, created by the template with a retention. */
    static List<String> logGroups(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> resources = map(template.get("Resources"));
        functions(template).forEach((id, function) -> {
            Map<String, Object> logging = map(function.get("LoggingConfig"));
            if (!"JSON".equals(logging.get("LogFormat"))) {
                violations.add(id + " does not log in JSON (LoggingConfig.LogFormat: JSON)");
            }
            String group = logicalIdOf(logging.get("LogGroup"));
            if (group == null || !"AWS::Logs::LogGroup".equals(type(resources.get(group)))) {
                violations.add(id + " does not log to a log group of this template (LoggingConfig.LogGroup: !Ref ...)");
            } else if (!properties(resources.get(group)).containsKey("RetentionInDays")) {
                violations.add("log group " + group + " of " + id + " keeps logs forever: set RetentionInDays");
            }
        });
        return violations;
    }

    /** Every stack output docs/operations.md's commands read ({@code $(out Name)}) exists in the template. */
    static List<String> runbookOutputs(Map<String, Object> template, String runbook) {
        List<String> violations = new ArrayList<>();
        Set<String> outputs = map(template.get("Outputs")).keySet();
        Matcher used = Pattern.compile("\\$\\(out ([A-Za-z0-9]+)\\)").matcher(runbook);
        Set<String> names = new TreeSet<>();
        while (used.find()) {
            names.add(used.group(1));
        }
        for (String name : names) {
            if (!outputs.contains(name)) {
                violations.add("docs/operations.md reads stack output " + name + ", which template.yaml does not have");
            }
        }
        if (names.isEmpty()) {
            violations.add("docs/operations.md reads no stack output: the rule found nothing to check");
        }
        return violations;
    }

    /**
     * Topics a flow takes only when the deployment turns them on (WebhookRoutes.CUSTOMER_TOPICS with
     * OrderFlowCustomerTopics, WebhookRoutes.CONSENT_TOPICS with OrderFlowConsentTopics): its EventBridge rule
     * routes them anyway, and the function dead-letters them with the reason while they are off, as its HTTPS
     * route does.
     */
    private static final Map<String, Set<String>> OPTIONAL_TOPICS = Map.of(
            "order-to-crm", Set.of("customers/create", "customers/update",
                    "customers_email_marketing_consent/update", "customers_marketing_consent/update"));
    /** The spellings of the topic key in detail.metadata that Shopify has used; each rule matches all of them. */
    private static final List<String> TOPIC_KEYS = List.of("X-Shopify-Topic", "x-shopify-topic", "shopify-topic");
    /** Resource types that exist only for EventBridge delivery. */
    private static final Set<String> EVENTBRIDGE_TYPES = Set.of("AWS::Events::EventBus", "AWS::Events::Rule",
            "AWS::Lambda::EventInvokeConfig");

    /**
     * Shopify's EventBridge delivery: nothing of it exists unless ShopifyEventSourceName is set (every
     * EventBridge resource, and every queue, policy and alarm of it, carries Condition EventBridgeOn); each rule
     * matches detail-type shopifyWebhook and the topics of the flow it invokes, exactly, under every key
     * spelling; its Lambda target retries and has a dead-letter queue of this template that events.amazonaws.com
     * may send to from that rule only, and that the function's failed invocations go to as well
     * (EventInvokeConfig), alarmed on any message; Lambda lets that rule invoke the function; and one rule keeps
     * every event no flow's rule takes, in an alarmed queue.
     */
    static List<String> eventBridge(Map<String, Object> template) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> resources = map(template.get("Resources"));
        Map<String, Map<String, Object>> functions = functions(template);
        Set<String> eventBridgeOnly = new LinkedHashSet<>();
        Set<String> routed = new TreeSet<>();
        List<String> catchAll = new ArrayList<>();
        resources.forEach((id, resource) -> {
            if (EVENTBRIDGE_TYPES.contains(String.valueOf(type(resource)))) {
                eventBridgeOnly.add(id);
            }
            if (!"AWS::Events::Rule".equals(type(resource))) {
                return;
            }
            Map<String, Object> properties = properties(resource);
            Map<String, Object> pattern = map(properties.get("EventPattern"));
            if (!List.of("shopifyWebhook").equals(list(pattern.get("detail-type")))) {
                violations.add("rule " + id + " does not match detail-type [shopifyWebhook] only, which Shopify sets");
            }
            for (Object targetValue : list(properties.get("Targets"))) {
                Map<String, Object> target = map(targetValue);
                String arn = String.valueOf(logicalIdOf(target.get("Arn")));
                if (map(target.get("RetryPolicy")).isEmpty()) {
                    violations.add("rule " + id + " target " + arn + " has no RetryPolicy");
                }
                String function = arn.endsWith(".Alias") ? arn.substring(0, arn.length() - ".Alias".length()) : arn;
                if ("AWS::SQS::Queue".equals(type(resources.get(arn)))) {
                    catchAll.add(id);
                    eventBridgeOnly.add(arn);
                    violations.addAll(sendableAndAlarmed(template, arn, id));
                    continue;
                }
                if (!functions.containsKey(function)) {
                    violations.add("rule " + id + " targets " + arn + ", which is neither a function nor a queue of this template");
                    continue;
                }
                Flow flow = flowOf(String.valueOf(functions.get(function).get("Handler")));
                Map<String, Set<String>> topicsByKey = topicsByKey(pattern, false);
                Set<String> expected = new TreeSet<>(flow == null ? Set.of() : flow.topics());
                expected.addAll(flow == null ? Set.of() : OPTIONAL_TOPICS.getOrDefault(flow.name(), Set.of()));
                for (String key : TOPIC_KEYS) {
                    Set<String> topics = topicsByKey.getOrDefault(key, Set.of());
                    if (!topics.equals(expected)) {
                        violations.add("rule " + id + " sends topics " + topics + " under " + key + " to " + function
                                + ", whose flow " + (flow == null ? "?" : flow.name()) + " takes " + expected);
                    }
                    routed.addAll(topics);
                }
                String deadLetterQueue = logicalIdOf(map(target.get("DeadLetterConfig")).get("Arn"));
                if (deadLetterQueue == null || !"AWS::SQS::Queue".equals(type(resources.get(deadLetterQueue)))) {
                    violations.add("rule " + id + " target " + arn + " has no dead-letter queue of this template"
                            + " (DeadLetterConfig.Arn): an event it cannot deliver would be dropped after its retries");
                    continue;
                }
                eventBridgeOnly.add(deadLetterQueue);
                violations.addAll(sendableAndAlarmed(template, deadLetterQueue, id));
                if (!deadLetterQueue.equals(eventsDeadLetterQueue(template, function))) {
                    violations.add(function + " has no EventInvokeConfig sending its failed invocations to "
                            + deadLetterQueue + ": Lambda would drop an event whose invocation failed twice");
                }
                boolean permitted = resources.entrySet().stream().anyMatch(e -> "AWS::Lambda::Permission".equals(type(e.getValue()))
                        && arn.equals(logicalIdOf(properties(e.getValue()).get("FunctionName")))
                        && "events.amazonaws.com".equals(properties(e.getValue()).get("Principal"))
                        && id.equals(logicalIdOf(properties(e.getValue()).get("SourceArn"))));
                if (!permitted) {
                    violations.add("rule " + id + " may not invoke " + arn + ": no AWS::Lambda::Permission for"
                            + " events.amazonaws.com with SourceArn !GetAtt " + id + ".Arn");
                }
            }
        });
        for (String id : catchAll) {
            Map<String, Set<String>> excluded = topicsByKey(map(properties(resources.get(id)).get("EventPattern")), true);
            for (String key : TOPIC_KEYS) {
                if (!excluded.getOrDefault(key, Set.of()).equals(routed)) {
                    violations.add("rule " + id + " keeps " + key + " anything-but " + excluded.get(key)
                            + ", but the flows' rules route " + routed);
                }
            }
        }
        if (!eventBridgeOnly.isEmpty() && catchAll.isEmpty()) {
            violations.add("no rule keeps the Shopify events no flow takes: EventBridge would drop them");
        }
        resources.forEach((id, resource) -> {
            Map<String, Object> properties = properties(resource);
            boolean forEvents = eventBridgeOnly.contains(id)
                    || "events.amazonaws.com".equals(properties.get("Principal"))
                    || list(properties.get("Queues")).stream().anyMatch(q -> eventBridgeOnly.contains(logicalIdOf(q)))
                    || list(properties.get("Dimensions")).stream().anyMatch(d -> eventBridgeOnly.contains(logicalIdOf(map(d).get("Value"))))
                    || "AWS::IAM::Policy".equals(type(resource)) && String.valueOf(properties.get("PolicyDocument")).contains("EventsDeadLetterQueue");
            if (forEvents && !"EventBridgeOn".equals(map(resource).get("Condition"))) {
                violations.add(id + " exists for EventBridge delivery but has no Condition: EventBridgeOn, so it would be"
                        + " created with ShopifyEventSourceName empty");
            }
        });
        if (eventBridgeOnly.isEmpty()) {
            violations.add("the template has no EventBridge delivery: the rule found nothing to check");
        }
        return violations;
    }

    /** The queue may be sent to by events.amazonaws.com from {@code rule} only, and is alarmed on any message. */
    private static List<String> sendableAndAlarmed(Map<String, Object> template, String queue, String rule) {
        List<String> violations = new ArrayList<>();
        boolean sendable = map(template.get("Resources")).values().stream()
                .filter(r -> "AWS::SQS::QueuePolicy".equals(type(r))
                        && list(properties(r).get("Queues")).stream().anyMatch(q -> queue.equals(logicalIdOf(q))))
                .flatMap(r -> statements(map(properties(r).get("PolicyDocument")).get("Statement")).stream())
                .anyMatch(st -> "Allow".equals(st.get("Effect"))
                        && Map.of("Service", "events.amazonaws.com").equals(st.get("Principal"))
                        && list(st.get("Action")).contains("sqs:SendMessage")
                        && rule.equals(logicalIdOf(map(map(st.get("Condition")).get("ArnEquals")).get("aws:SourceArn"))));
        if (!sendable) {
            violations.add("queue " + queue + " (of rule " + rule + ") has no QueuePolicy letting events.amazonaws.com"
                    + " send from that rule only (Condition ArnEquals aws:SourceArn): EventBridge could not store what it cannot deliver");
        }
        boolean alarmed = alarms(template).values().stream().anyMatch(alarm ->
                "ApproximateNumberOfMessagesVisible".equals(alarm.get("MetricName"))
                        && list(alarm.get("Dimensions")).stream().anyMatch(d -> queue.equals(logicalIdOf(map(d).get("Value"))))
                        && "GreaterThanThreshold".equals(alarm.get("ComparisonOperator"))
                        && number(template, alarm.get("Threshold"), "Default") == 0);
        if (!alarmed) {
            violations.add("queue " + queue + " (of rule " + rule + ") has no alarm on any message in it");
        }
        return violations;
    }

    /** The topics a pattern lists under each topic key of detail.metadata, in all its $or branches. */
    private static Map<String, Set<String>> topicsByKey(Map<String, Object> pattern, boolean anythingBut) {
        Map<String, Set<String>> topics = new LinkedHashMap<>();
        List<Object> branches = new ArrayList<>(list(pattern.get("$or")));
        branches.add(pattern);
        for (Object branch : branches) {
            map(map(map(branch).get("detail")).get("metadata")).forEach((key, values) -> {
                for (Object value : list(values)) {
                    if (!anythingBut && value instanceof String topic) {
                        topics.computeIfAbsent(key, k -> new TreeSet<>()).add(topic);
                    } else if (anythingBut && map(value).containsKey("anything-but")) {
                        list(map(value).get("anything-but")).forEach(t ->
                                topics.computeIfAbsent(key, k -> new TreeSet<>()).add(String.valueOf(t)));
                    }
                }
            });
        }
        return topics;
    }

    /** The queue a function's failed asynchronous invocations go to (its EventInvokeConfig's OnFailure), or null. */
    private static String eventsDeadLetterQueue(Map<String, Object> template, String function) {
        return map(template.get("Resources")).values().stream()
                .filter(r -> "AWS::Lambda::EventInvokeConfig".equals(type(r))
                        && function.equals(logicalIdOf(properties(r).get("FunctionName"))))
                .map(r -> logicalIdOf(map(map(properties(r).get("DestinationConfig")).get("OnFailure")).get("Destination")))
                .findFirst().orElse(null);
    }

    // ---- The real template passes every rule ----

    @Test
    void sqsTriggers_reportBatchItemFailures_andLimitConcurrency() {
        assertThat(sqsTriggers(template())).isEmpty();
    }

    @Test
    void workQueues_haveADeadLetterQueue_withAnAlarmOnAnyMessage() {
        assertThat(deadLetterQueues(template())).isEmpty();
    }

    @Test
    void alarms_notifyTheAlertsTopic_andPointToARunbookSection() {
        assertThat(alarmsNotifyAndHaveRunbooks(template(), runbookAnchors())).isEmpty();
        // The dead-letter alerts the functions publish point to a section too.
        Matcher alertRunbook = Pattern.compile("docs/operations\\.md#([a-z0-9-]+)").matcher(DeliverySettings.DEFAULT_RUNBOOK);
        assertThat(alertRunbook.find()).isTrue();
        assertThat(runbookAnchors()).contains(alertRunbook.group(1));
    }

    @Test
    void queues_keepMessagesInvisible_sixTimesTheFunctionTimeout() {
        assertThat(visibilityTimeouts(template())).isEmpty();
    }

    @Test
    void iam_grantsNamedActionsOnNamedResources() {
        assertThat(leastPrivilege(template())).isEmpty();
    }

    @Test
    void functions_runWithARoleOfTheirOwn_limitedToTheirQueues_andLogGroup() {
        assertThat(functionRoles(template())).isEmpty();
    }

    @Test
    void functions_readAndWriteOnlyTheirFlowsClaimChecks() {
        assertThat(claimCheckPrefixes(template())).isEmpty();
    }

    @Test
    void secretGrants_nameOneSecretEach_andOnlyTheFunctionsOwn() {
        assertThat(secretGrants(template())).isEmpty();
    }

    @Test
    void keyGrantsToServices_areLimitedToThisAccount() {
        assertThat(serviceKeyGrants(template())).isEmpty();
    }

    @Test
    void functions_runSnapStartBehindAnAlias_withoutProvisionedConcurrency() {
        assertThat(snapStart(template())).isEmpty();
    }

    @Test
    void environment_setsEveryVariableTheCodeReads_andNothingElse() {
        CodeVariables code = CodeVariables.scan(ROOT);
        // The scan itself must work, or the rule would pass on nothing.
        assertThat(code.everyFunction()).contains("WORK_QUEUE_URL", "IDEMPOTENCY_TABLE", "SHOPIFY_WEBHOOK_SECRET_ID");
        assertThat(code.shared()).contains("HUBSPOT_TOKEN_SECRET_ID", "INVENTORY_TARGET", "MAPPINGS_DIR");
        assertThat(code.byModule()).containsKey("functions/order-to-crm");
        assertThat(code.byModule().get("functions/order-to-crm")).contains("CRM_TARGETS", "ORDER_FLOW_CUSTOMER_TOPICS");
        assertThat(code.reconciler()).contains("ORDER_WORK_QUEUE_URL", "FULFILMENT_WORK_QUEUE_URL", "SHOPIFY_ALLOWED_SHOPS",
                "CRM_TARGETS");

        assertThat(environment(template(), code)).isEmpty();
    }

    @Test
    void routes_goToTheFlowThatTakesTheirTopics() {
        assertThat(routes(template(), samples())).isEmpty();
    }

    @Test
    void functions_logJson_toALogGroupWithRetention() {
        assertThat(logGroups(template())).isEmpty();
    }

    @Test
    void runbooks_readOnlyOutputsTheStackHas() {
        assertThat(runbookOutputs(template(), runbook())).isEmpty();
    }

    // ---- Each rule catches a broken template ----

    @Test
    void sqsTriggers_ruleCatches_aTriggerWithoutBatchItemFailures_orConcurrencyLimit() {
        Map<String, Object> template = template();
        Map<String, Object> trigger = eventProperties(template, "OrderToCrmFunction", "SQS");
        trigger.remove("FunctionResponseTypes");
        eventProperties(template, "StockToInventoryFunction", "SQS").remove("ScalingConfig");

        assertThat(sqsTriggers(template)).hasSize(2)
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmFunction").contains("batch item failures"))
                .anySatisfy(v -> assertThat(v).startsWith("StockToInventoryFunction").contains("MaximumConcurrency"));
    }

    @Test
    void sqsTriggers_ruleCatches_aConcurrencyParameterThatAllowsOne() {
        Map<String, Object> template = template();
        map(map(template.get("Parameters")).get("OrderToCrmMaxConcurrency")).put("MinValue", 1);

        assertThat(sqsTriggers(template)).singleElement().asString().contains("below 2");
    }

    @Test
    void deadLetterQueues_ruleCatches_aMissingAlarm_andAMissingQueue() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        resources.remove("StockToInventoryDeadLetterAlarm");
        map(properties(resources.get("FulfilmentToCrmQueue")).get("RedrivePolicy"))
                .put("deadLetterTargetArn", Map.of("Fn::GetAtt", List.of("NoSuchQueue", "Arn")));

        assertThat(deadLetterQueues(template)).hasSize(2)
                .anySatisfy(v -> assertThat(v).contains("StockToInventoryDeadLetterQueue").contains("no alarm"))
                .anySatisfy(v -> assertThat(v).contains("FulfilmentToCrmQueue").contains("no dead-letter queue"));
    }

    @Test
    void idempotencyTable_hasTheEntityIndex_theTraceQueries() {
        assertThat(entityIndex(template())).isEmpty();
    }

    @Test
    void entityIndex_ruleCatches_aMissingAttribute_andAMissingIndex() {
        Map<String, Object> template = template();
        Map<String, Object> table = properties(map(template.get("Resources")).get("IdempotencyTable"));
        Map<String, Object> index = map(((List<?>) table.get("GlobalSecondaryIndexes")).get(0));
        Map<String, Object> projection = map(index.get("Projection"));
        projection.put("NonKeyAttributes", List.of("state", "outcome"));
        assertThat(entityIndex(template)).singleElement().satisfies(v -> assertThat(v).contains("lastError"));

        Map<String, Object> byWebhook = map(((List<?>) table.get("GlobalSecondaryIndexes")).get(1));
        byWebhook.put("KeySchema", List.of(Map.of("AttributeName", "entity", "KeyType", "HASH")));
        assertThat(entityIndex(template)).hasSize(2).anySatisfy(v -> assertThat(v).contains("webhook-index is not keyed "
                + "by webhookId alone"));

        table.remove("GlobalSecondaryIndexes");
        assertThat(entityIndex(template)).hasSize(2).anySatisfy(v -> assertThat(v).contains("no index entity-index"))
                .anySatisfy(v -> assertThat(v).contains("no index webhook-index"));
    }

    @Test
    void reconcileAlarms_watchDriftAndMissingSubscriptions_asTheChecksEmitThem() {
        assertThat(reconcileAlarms(template(), runbookAnchors())).isEmpty();
    }

    @Test
    void reconcileAlarms_ruleCatches_aWrongDimension_aThreshold_aRunbook_andAMissingAlarm() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        Map<String, Object> drift = properties(resources.get("ReconcileStockDriftAlarm"));
        drift.put("Dimensions", List.of(Map.of("Name", "flow", "Value", "reconciler")));
        drift.put("Threshold", 5);
        drift.put("AlarmDescription", "drift: docs/operations.md#webhooks-missed");
        resources.remove("ReconcileSubscriptionMissingAlarm");
        resources.remove("ReconcileMissedFulfilmentsAlarm");

        assertThat(reconcileAlarms(template, runbookAnchors())).hasSize(5)
                .anySatisfy(v -> assertThat(v).contains("no alarm watches").contains("MissedQueued (flow fulfilment-to-crm)"))
                .anySatisfy(v -> assertThat(v).contains("ReconcileStockDriftAlarm").contains("flow=stock-to-inventory"))
                .anySatisfy(v -> assertThat(v).contains("ReconcileStockDriftAlarm").contains("GreaterThanThreshold 0"))
                .anySatisfy(v -> assertThat(v).contains("ReconcileStockDriftAlarm").contains("#reconcile-stock-drift"))
                .anySatisfy(v -> assertThat(v).contains("no alarm watches").contains("SubscriptionsMissing"));
        assertThat(reconcileAlarms(template(), Set.of("reconcile-stock-drift", "webhooks-missed")))
                .singleElement().satisfies(v -> assertThat(v).contains("#reconcile-subscription-missing"));
    }

    @Test
    void alarms_ruleCatches_anAlarmWithoutTheTopic_andARunbookSectionThatDoesNotExist() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        properties(resources.get("OrderToCrmErrorsAlarm")).remove("AlarmActions");
        properties(resources.get("ApiServerErrorsAlarm")).put("AlarmDescription", "see docs/operations.md#no-such-section");

        assertThat(alarmsNotifyAndHaveRunbooks(template, runbookAnchors())).hasSize(2)
                .anySatisfy(v -> assertThat(v).contains("OrderToCrmErrorsAlarm").contains("alerts topic"))
                .anySatisfy(v -> assertThat(v).contains("ApiServerErrorsAlarm").contains("no-such-section"));
    }

    @Test
    void visibilityTimeouts_ruleCatches_aFunctionTimeoutRaisedWithoutTheQueue() {
        Map<String, Object> template = template();
        map(map(template.get("Globals")).get("Function")).put("Timeout", 31);

        assertThat(visibilityTimeouts(template)).hasSize(3).allSatisfy(v -> assertThat(v).contains("at least 186"));
    }

    @Test
    void leastPrivilege_ruleCatches_wildcardActions_wildcardResources_andManagedPolicies() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        // In the function's own role, and as SAM policies on a function.
        statements(map(map(list(properties(resources.get("OrderToCrmRole")).get("Policies")).get(0)).get("PolicyDocument"))
                .get("Statement")).get(0).put("Action", "sqs:*");
        properties(resources.get("StockToInventoryFunction")).put("Policies", new ArrayList<>(List.of(
                Map.of("Statement", List.of(Map.of("Effect", "Allow", "Action", List.of("dynamodb:Query"), "Resource", "*"))),
                "AmazonSQSFullAccess")));

        assertThat(leastPrivilege(template))
                .anySatisfy(v -> assertThat(v).contains("every action (sqs:*)"))
                .anySatisfy(v -> assertThat(v).contains("Resource \"*\""))
                .anySatisfy(v -> assertThat(v).contains("attaches policy AmazonSQSFullAccess"));
    }

    @Test
    void leastPrivilege_ruleCatches_aKeyPolicyOpenToAnyone() {
        Map<String, Object> template = template();
        statements(map(properties(map(template.get("Resources")).get("AlertsKey")).get("KeyPolicy")).get("Statement"))
                .get(0).put("Principal", "*");

        assertThat(leastPrivilege(template)).singleElement().asString().contains("any principal");
    }

    @Test
    void functionRoles_ruleCatches_aGeneratedRole_aSharedRole_anotherQueue_anyLogGroup_andAMissingGrant() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        // Order flow: back to the role SAM generates, with its managed policies.
        properties(resources.get("OrderToCrmFunction")).remove("Role");
        // Fulfilment flow: runs with the stock flow's role.
        properties(resources.get("FulfilmentToCrmFunction")).put("Role", Map.of("Fn::GetAtt", List.of("StockToInventoryRole", "Arn")));
        // Stock flow: may receive from the order flow's queue and write any log group; cannot delete its own messages.
        List<Map<String, Object>> stock = roleStatements(template, "StockToInventoryRole");
        stock.get(0).put("Resource", "*");
        Map<String, Object> receive = stock.stream()
                .filter(st -> list(st.get("Action")).contains("sqs:ReceiveMessage")).findFirst().orElseThrow();
        List<Object> actions = list(receive.get("Action"));
        actions.remove("sqs:DeleteMessage");
        receive.put("Action", actions);
        receive.put("Resource", List.of(receive.get("Resource"), Map.of("Fn::GetAtt", List.of("OrderToCrmQueue", "Arn"))));

        assertThat(functionRoles(template))
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmFunction has no Role").contains("AWSLambdaSQSQueueExecutionRole"))
                .anySatisfy(v -> assertThat(v).contains("shares its role StockToInventoryRole"))
                .anySatisfy(v -> assertThat(v).contains("grants sqs:ReceiveMessage on OrderToCrmQueue"))
                .anySatisfy(v -> assertThat(v).contains("grants logs:PutLogEvents on *"))
                .anySatisfy(v -> assertThat(v).contains("lacks").contains("sqs:DeleteMessage on StockToInventoryQueue"));
    }

    @Test
    void functionRoles_ruleCatches_aManagedPolicyOnTheRole() {
        Map<String, Object> template = template();
        properties(map(template.get("Resources")).get("OrderToCrmRole")).put("ManagedPolicyArns",
                List.of("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"));

        assertThat(functionRoles(template)).singleElement().asString().contains("attaches managed policies");
    }

    @Test
    void functionRoles_ruleCatches_theReconcilerReceivingFromTheOrderQueue_andSendingToAnotherFlows() {
        Map<String, Object> template = template();
        Map<String, Object> send = roleStatements(template, "ReconcilerRole").stream()
                .filter(st -> list(st.get("Action")).contains("sqs:SendMessage")).findFirst().orElseThrow();
        send.put("Action", List.of("sqs:SendMessage", "sqs:ReceiveMessage"));
        // The reconciler sends to the order, fulfilment and stock queues its environment names; not to any other.
        send.put("Resource", List.of(send.get("Resource"), Map.of("Fn::GetAtt", List.of("OrderToCrmEventsDeadLetterQueue", "Arn"))));

        assertThat(functionRoles(template))
                .anySatisfy(v -> assertThat(v).startsWith("ReconcilerRole").contains("grants sqs:ReceiveMessage on OrderToCrmQueue"))
                .anySatisfy(v -> assertThat(v).startsWith("ReconcilerRole")
                        .contains("grants sqs:SendMessage on OrderToCrmEventsDeadLetterQueue"));
    }

    @Test
    void claimCheckPrefixes_ruleCatches_theReconcilerReadingClaimChecks_orStoringUnderAnotherFlow() {
        Map<String, Object> template = template();
        Map<String, Object> reconciler = s3Statement(template, "ReconcilerRole");
        reconciler.put("Action", List.of("s3:PutObject", "s3:GetObject"));
        // Every flow's queue is now the reconciler's (orders, fulfilments, stock): a prefix of no flow stands for "another".
        reconciler.put("Resource", Map.of("Fn::Sub", "${ClaimCheckBucket.Arn}/reconciler/*"));

        assertThat(claimCheckPrefixes(template))
                .anySatisfy(v -> assertThat(v).startsWith("ReconcilerRole").contains("grants s3:GetObject"))
                .anySatisfy(v -> assertThat(v).startsWith("ReconcilerRole").contains("grants s3:PutObject on ${ClaimCheckBucket.Arn}/reconciler/*"))
                .anySatisfy(v -> assertThat(v).startsWith("ReconcilerRole").contains("does not grant s3:PutObject on [")
                        .contains("${ClaimCheckBucket.Arn}/order-to-crm/*"));
    }

    @Test
    void environment_ruleCatches_theReconcilerWithoutItsQueue() {
        Map<String, Object> template = template();
        variables(properties(map(template.get("Resources")).get("ReconcilerFunction"))).remove("ORDER_WORK_QUEUE_URL");

        assertThat(environment(template, CodeVariables.scan(ROOT))).contains(
                "ReconcilerFunction does not set ORDER_WORK_QUEUE_URL, which ReconcilerEnvironment reads");
    }

    @Test
    void claimCheckPrefixes_ruleCatches_theWholeBucket_anotherFlowsPrefix_andADelete() {
        Map<String, Object> template = template();
        s3Statement(template, "OrderToCrmRole").put("Resource", Map.of("Fn::Sub", "${ClaimCheckBucket.Arn}/*"));
        s3Statement(template, "StockToInventoryRole").put("Resource", Map.of("Fn::Sub", "${ClaimCheckBucket.Arn}/order-to-crm/*"));
        Map<String, Object> fulfilment = s3Statement(template, "FulfilmentToCrmRole");
        List<Object> actions = list(fulfilment.get("Action"));
        actions.add("s3:DeleteObject");
        fulfilment.put("Action", actions);

        assertThat(claimCheckPrefixes(template))
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmRole").contains("on ${ClaimCheckBucket.Arn}/*:"))
                .anySatisfy(v -> assertThat(v).startsWith("StockToInventoryRole").contains("on ${ClaimCheckBucket.Arn}/order-to-crm/*:")
                        .contains("${ClaimCheckBucket.Arn}/stock-to-inventory/*"))
                .anySatisfy(v -> assertThat(v).startsWith("FulfilmentToCrmRole").contains("grants s3:DeleteObject"));
    }

    @Test
    void secretGrants_ruleCatches_aTrailingStar_anotherFlowsSecret_andAMissingGrant() {
        Map<String, Object> template = template();
        String arn = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:";
        Map<String, Object> order = secretStatement(template, "OrderToCrmRole");
        order.put("Resource", List.of(Map.of("Fn::Sub", arn + "${WebhookSecretName}-??????"),
                Map.of("Fn::Sub", arn + "${HubSpotTokenSecretName}-*"),
                Map.of("Fn::Sub", arn + "${KlaviyoApiKeySecretName}-??????"),
                Map.of("Fn::Sub", arn + "${KatanaApiKeySecretName}-??????")));
        secretStatement(template, "StockToInventoryRole").put("Resource",
                List.of(Map.of("Fn::Sub", arn + "${WebhookSecretName}-??????")));

        assertThat(secretGrants(template))
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmRole").contains("${HubSpotTokenSecretName}-*").contains("not -*"))
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmRole").contains("may read the secret ${KatanaApiKeySecretName}"))
                .anySatisfy(v -> assertThat(v).startsWith("StockToInventoryRole").contains("cannot read the secret ${KatanaApiKeySecretName}"));
    }

    @Test
    void serviceKeyGrants_ruleCatches_cloudWatchWithoutTheAccountCondition() {
        Map<String, Object> template = template();
        statements(map(properties(map(template.get("Resources")).get("AlertsKey")).get("KeyPolicy")).get("Statement"))
                .stream().filter(st -> map(st.get("Principal")).containsKey("Service")).forEach(st -> st.remove("Condition"));

        assertThat(serviceKeyGrants(template)).singleElement().asString()
                .contains("CloudWatchAlarmsPublish").contains("aws:SourceAccount");
    }

    @Test
    void snapStart_ruleCatches_provisionedConcurrency_andAMissingAlias() {
        Map<String, Object> template = template();
        properties(map(template.get("Resources")).get("FulfilmentToCrmFunction"))
                .put("ProvisionedConcurrencyConfig", Map.of("ProvisionedConcurrentExecutions", 1));
        map(map(template.get("Globals")).get("Function")).remove("AutoPublishAlias");

        assertThat(snapStart(template))
                .anySatisfy(v -> assertThat(v).startsWith("FulfilmentToCrmFunction combines SnapStart"))
                .filteredOn(v -> v.contains("no AutoPublishAlias")).hasSize(4);
    }

    @Test
    void environment_ruleCatches_aVariableTheCodeReadsButNoOneSets_andATypo() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        variables(properties(resources.get("OrderToCrmFunction"))).remove("CRM_TARGETS");
        variables(map(map(template.get("Globals")).get("Function"))).remove("IDEMPOTENCY_TABLE");
        variables(properties(resources.get("StockToInventoryFunction"))).put("LOCATION_MAPPINGS", "{}");

        assertThat(environment(template, CodeVariables.scan(ROOT)))
                .anySatisfy(v -> assertThat(v).isEqualTo("OrderToCrmFunction does not set CRM_TARGETS, which its module"
                        + " functions/order-to-crm reads"))
                .anySatisfy(v -> assertThat(v).startsWith("StockToInventoryFunction does not set IDEMPOTENCY_TABLE"))
                .anySatisfy(v -> assertThat(v).contains("sets LOCATION_MAPPINGS, which no code reads"));
    }

    @Test
    void eventBridge_routesEachFlowsTopics_withRetriesDeadLettersAndAlarms_onlyWhenConfigured() {
        assertThat(eventBridge(template())).isEmpty();
    }

    @Test
    void eventBridge_ruleCatches_swappedTopics_aMissingDeadLetterQueue_aMissingCondition_andAnOpenQueuePolicy() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        // The stock flow's rule also sends orders/create; the fulfilment rule loses its DLQ; the bus is unconditional.
        Map<String, Object> stockPattern = map(properties(resources.get("StockToInventoryEventRule")).get("EventPattern"));
        List<Object> stockTopics = list(map(map(map(list(stockPattern.get("$or")).get(0)).get("detail")).get("metadata"))
                .get("X-Shopify-Topic"));
        stockTopics.add("orders/create");
        map(list(properties(resources.get("FulfilmentToCrmEventRule")).get("Targets")).get(0)).remove("DeadLetterConfig");
        map(resources.get("ShopifyEventBus")).remove("Condition");
        // The order flow's events DLQ lets EventBridge send from any rule.
        map(statements(map(properties(resources.get("OrderToCrmEventsDeadLetterQueuePolicy")).get("PolicyDocument"))
                .get("Statement")).get(0)).remove("Condition");

        assertThat(eventBridge(template))
                .anySatisfy(v -> assertThat(v).startsWith("rule StockToInventoryEventRule sends topics").contains("orders/create")
                        .contains("under X-Shopify-Topic"))
                .anySatisfy(v -> assertThat(v).startsWith("rule FulfilmentToCrmEventRule target FulfilmentToCrmFunction.Alias has no dead-letter queue"))
                .anySatisfy(v -> assertThat(v).startsWith("ShopifyEventBus exists for EventBridge delivery but has no Condition"))
                .anySatisfy(v -> assertThat(v).startsWith("queue OrderToCrmEventsDeadLetterQueue (of rule OrderToCrmEventRule) has no QueuePolicy"));
    }

    @Test
    void eventBridge_ruleCatches_aFunctionWithoutItsFailureDestination_permission_orCatchAll() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        resources.remove("OrderToCrmEventInvokeConfig");
        resources.remove("StockToInventoryEventRulePermission");
        resources.remove("UnroutedEventRule");

        assertThat(eventBridge(template))
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmFunction has no EventInvokeConfig"))
                .anySatisfy(v -> assertThat(v).startsWith("rule StockToInventoryEventRule may not invoke"))
                .anySatisfy(v -> assertThat(v).startsWith("no rule keeps the Shopify events no flow takes"));
    }

    @Test
    void functionRoles_ruleCatches_aMissingGrantOnTheEventsDeadLetterQueue() {
        Map<String, Object> template = template();
        map(template.get("Resources")).remove("StockToInventoryEventsDeadLetterPolicy");

        assertThat(functionRoles(template)).singleElement().asString()
                .contains("lacks").contains("sqs:SendMessage on StockToInventoryEventsDeadLetterQueue");
    }

    @Test
    void privacyRoute_ruleCatches_anotherFlowTakingIt_andAnErasureGrantMissingOrWidened() {
        Map<String, Object> template = template();
        eventProperties(template, "StockToInventoryFunction", "HttpApi").put("Path", WebhookRoutes.PRIVACY_PATH);
        List<Map<String, Object>> statements = roleStatements(template, "OrderToCrmRole");
        Map<String, Object> erasure = statements.stream().filter(st -> list(st.get("Action")).contains("s3:DeleteObject"))
                .findFirst().orElseThrow();
        erasure.put("Resource", List.of(Map.of("Fn::Sub", "${ClaimCheckBucket.Arn}/*")));

        assertThat(routes(template, samples()))
                .anySatisfy(v -> assertThat(v).startsWith("StockToInventoryFunction serves the privacy webhooks"));
        assertThat(claimCheckPrefixes(template))
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmRole").contains("grants s3:DeleteObject on ${ClaimCheckBucket.Arn}/*:"))
                .anySatisfy(v -> assertThat(v).startsWith("OrderToCrmRole").contains("takes the privacy webhooks but grants"));
    }

    @Test
    void routes_ruleCatches_twoFlowsSwappedRoutes() {
        Map<String, Object> template = template();
        eventProperties(template, "OrderToCrmFunction", "HttpApi").put("Path", "/webhooks/inventory");
        eventProperties(template, "StockToInventoryFunction", "HttpApi").put("Path", "/webhooks/orders");

        assertThat(routes(template, samples()))
                .anySatisfy(v -> assertThat(v).contains("serves flow order-to-crm on /webhooks/inventory"))
                .anySatisfy(v -> assertThat(v).contains("orders-create.json").contains("which serves flow stock-to-inventory"));
    }

    @Test
    void logGroups_ruleCatches_aFunctionWithoutItsLogGroup_andRetention() {
        Map<String, Object> template = template();
        Map<String, Object> resources = map(template.get("Resources"));
        map(properties(resources.get("OrderToCrmFunction")).get("LoggingConfig")).remove("LogGroup");
        properties(resources.get("StockToInventoryLogGroup")).remove("RetentionInDays");

        assertThat(logGroups(template)).hasSize(2);
    }

    @Test
    void runbookOutputs_ruleCatches_aRemovedOutput() {
        Map<String, Object> template = template();
        map(template.get("Outputs")).remove("OrderToCrmDeadLetterQueueArn");

        assertThat(runbookOutputs(template, runbook())).singleElement().asString().contains("OrderToCrmDeadLetterQueueArn");
    }

    // ---- Reading the template, the docs, the events and the code ----

    /** A fresh, mutable copy of template.yaml, so a test can break it. */
    private static Map<String, Object> template() {
        return map(mutable(CloudFormationYaml.read(TEMPLATE)));
    }

    /** Each function's properties with Globals.Function applied (its own win; environment variables merge). */
    static Map<String, Map<String, Object>> functions(Map<String, Object> template) {
        Map<String, Object> globals = map(map(template.get("Globals")).get("Function"));
        Map<String, Map<String, Object>> functions = new LinkedHashMap<>();
        map(template.get("Resources")).forEach((id, resource) -> {
            if (!"AWS::Serverless::Function".equals(type(resource))) {
                return;
            }
            Map<String, Object> merged = new LinkedHashMap<>(globals);
            merged.putAll(properties(resource));
            Map<String, Object> variables = new LinkedHashMap<>(variables(globals));
            variables.putAll(variables(properties(resource)));
            merged.put("Environment", Map.of("Variables", variables));
            functions.put(id, merged);
        });
        return functions;
    }

    private static Map<String, Map<String, Object>> alarms(Map<String, Object> template) {
        Map<String, Map<String, Object>> alarms = new LinkedHashMap<>();
        map(template.get("Resources")).forEach((id, resource) -> {
            if ("AWS::CloudWatch::Alarm".equals(type(resource))) {
                alarms.put(id, properties(resource));
            }
        });
        return alarms;
    }

    private static Map<String, Object> eventProperties(Map<String, Object> template, String function, String eventType) {
        return map(properties(map(template.get("Resources")).get(function)).get("Events")).values().stream()
                .map(TemplateRulesTest::map).filter(e -> eventType.equals(e.get("Type")))
                .map(e -> map(e.get("Properties"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> s3Statement(Map<String, Object> template, String role) {
        return roleStatements(template, role).stream().filter(st -> list(st.get("Action")).contains("s3:PutObject"))
                .findFirst().orElseThrow();
    }

    private static Map<String, Object> secretStatement(Map<String, Object> template, String role) {
        return roleStatements(template, role).stream()
                .filter(st -> list(st.get("Action")).contains("secretsmanager:GetSecretValue")).findFirst().orElseThrow();
    }

    /** The logical id of the queue a function's SQS trigger reads, or null. */
    private static String triggerQueue(Map<String, Object> function) {
        return map(function.get("Events")).values().stream().map(TemplateRulesTest::map)
                .filter(e -> "SQS".equals(e.get("Type"))).map(e -> logicalIdOf(map(e.get("Properties")).get("Queue")))
                .findFirst().orElse(null);
    }

    /** Every statement of a role's inline policies and of the AWS::IAM::Policy resources attached to it. */
    private static List<Map<String, Object>> roleStatements(Map<String, Object> template, String role) {
        List<Map<String, Object>> statements = new ArrayList<>();
        Map<String, Object> resources = map(template.get("Resources"));
        list(properties(resources.get(role)).get("Policies")).forEach(p ->
                statements.addAll(statements(map(map(p).get("PolicyDocument")).get("Statement"))));
        resources.values().forEach(resource -> {
            if ("AWS::IAM::Policy".equals(type(resource)) && list(properties(resource).get("Roles")).stream()
                    .anyMatch(r -> role.equals(logicalIdOf(r)))) {
                statements.addAll(statements(map(properties(resource).get("PolicyDocument")).get("Statement")));
            }
        });
        return statements;
    }

    /** One action on one resource, as an Allow statement of a role grants it. */
    record Grant(String action, Object resource) {
        @Override
        public String toString() {
            String id = logicalIdOf(resource);
            String on = id != null ? id : resource instanceof Map<?, ?> sub && sub.containsKey("Fn::Sub")
                    ? String.valueOf(sub.get("Fn::Sub")) : String.valueOf(resource);
            return action + " on " + on;
        }
    }

    /** Every action on every resource the Allow statements of a role grant. */
    private static List<Grant> grants(Map<String, Object> template, String role) {
        List<Grant> grants = new ArrayList<>();
        for (Map<String, Object> statement : roleStatements(template, role)) {
            if ("Allow".equals(statement.get("Effect"))) {
                list(statement.get("Action")).forEach(action -> list(statement.get("Resource")).forEach(resource ->
                        grants.add(new Grant(String.valueOf(action), resource))));
            }
        }
        return grants;
    }

    private static Map<String, Object> variables(Map<String, Object> properties) {
        return map(map(properties.get("Environment")).get("Variables"));
    }

    /** A literal number, or a Ref to a parameter: its {@code bound} (Default, or MinValue for the least it allows). */
    private static long number(Map<String, Object> template, Object value, String bound) {
        if (value instanceof Map<?, ?> ref && ref.get("Ref") instanceof String name) {
            Object parameterBound = map(map(template.get("Parameters")).get(name)).get(bound);
            if (parameterBound == null && !bound.equals("Default")) {
                return Long.MIN_VALUE; // no lower bound: any value may be passed
            }
            return number(template, parameterBound, "Default");
        }
        return Long.parseLong(String.valueOf(value).trim());
    }

    /** The logical id behind {@code !Ref X}, {@code !GetAtt X.Attr}, or null. */
    private static String logicalIdOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            if (map.get("Ref") instanceof String ref) {
                return ref;
            }
            if (map.get("Fn::GetAtt") instanceof List<?> parts && !parts.isEmpty()) {
                return String.valueOf(parts.get(0));
            }
        }
        return null;
    }

    private static List<Map<String, Object>> statements(Object value) {
        return list(value).stream().map(TemplateRulesTest::map).collect(Collectors.toList());
    }

    private static Object type(Object resource) {
        return map(resource).get("Type");
    }

    private static Map<String, Object> properties(Object resource) {
        return map(map(resource).get("Properties"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : new LinkedHashMap<>();
    }

    /** A list, a single value as a one-element list, or empty. */
    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value instanceof List) {
            return (List<Object>) value;
        }
        return value == null ? new ArrayList<>() : new ArrayList<>(List.of(value));
    }

    private static Object mutable(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), mutable(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(mutable(v)));
            return copy;
        }
        return value;
    }

    /** The flow of a Handler ({@code class::method}): its class's {@code public static final Flow FLOW}. */
    private static Flow flowOf(String handler) {
        String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        try {
            return (Flow) Class.forName(className).getField("FLOW").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return null;
        }
    }

    private static String runbook() {
        return String.join("\n", lines(ROOT.resolve("docs/operations.md")));
    }

    /** The sections docs/operations.md can be linked to: its headings as GitHub anchors them, and explicit anchors. */
    private static Set<String> runbookAnchors() {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : runbook().split("\n")) {
            Matcher heading = Pattern.compile("^#{1,6}\\s+(.+?)\\s*$").matcher(line);
            if (heading.matches()) {
                anchors.add(heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
            Matcher explicit = Pattern.compile("<a (?:id|name)=\"([^\"]+)\"").matcher(line);
            while (explicit.find()) {
                anchors.add(explicit.group(1));
            }
        }
        return anchors;
    }

    /** A signed sample webhook in events/&lt;flow&gt;/: where it posts and with which topic. */
    record SampleEvent(String file, String flowFolder, String path, String topic) {}

    private static List<SampleEvent> samples() {
        List<SampleEvent> samples = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("events"), 2)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String folder = file.getParent().getFileName().toString();
                if (!ROUTE_OF_FLOW.containsKey(folder)) {
                    continue; // payloads/
                }
                JsonNode event = JSON.readTree(file.toFile());
                if (!event.has("rawPath")) {
                    continue; // the SQS delivery sample
                }
                samples.add(new SampleEvent(ROOT.relativize(file).toString(), folder, event.path("rawPath").asText(),
                        event.path("headers").path("x-shopify-topic").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return samples;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The environment variables the code reads, found in its source: FlowEnvironment's own settings, which
     * every function reads; what each flow module reads; and what the rest of the shared runtime reads.
     */
    record CodeVariables(Set<String> everyFunction, Set<String> reconciler, Set<String> shared,
                         Map<String, Set<String>> byModule, Map<String, String> moduleOfClass) {

        private static final List<Pattern> READS = List.of(
                // FlowEnvironment's accessors for connectors and flows
                Pattern.compile("\\b(?:setting|requiredSetting|settingList|settingTotal|enabledTargets)\\(\\s*\"([A-Z][A-Z0-9_]*)\""),
                // credential(description, SECRET_ID_VARIABLE, INLINE_VARIABLE)
                Pattern.compile("\\bcredential\\(\\s*\"[^\"]*\"\\s*,\\s*\"([A-Z][A-Z0-9_]*)\"\\s*,\\s*\"([A-Z][A-Z0-9_]*)\"\\s*\\)"),
                // FlowEnvironment.Settings
                Pattern.compile("\\b(?:required|optional|integer|list)\\(\\s*\"([A-Z][A-Z0-9_]*)\""),
                // direct reads of the process environment
                Pattern.compile("\\b(?:getenv|get|getOrDefault)\\(\\s*\"([A-Z][A-Z0-9_]*)\""));

        static CodeVariables scan(Path root) {
            Path flowEnvironment = root.resolve("shared/src/main/java/io/shopsync/lambda/FlowEnvironment.java");
            Set<String> everyFunction = read(List.of(flowEnvironment), true);
            Set<String> reconciler = read(List.of(root.resolve("shared/src/main/java/io/shopsync/lambda/ReconcilerEnvironment.java")), true);
            Set<String> shared = new TreeSet<>();
            Map<String, Set<String>> byModule = new LinkedHashMap<>();
            Map<String, String> moduleOfClass = new LinkedHashMap<>();
            List<Path> sharedSources = sources(root.resolve("shared/src/main/java"));
            shared.addAll(read(sharedSources.stream().filter(p -> !p.equals(flowEnvironment)).toList(), false));
            shared.addAll(read(List.of(flowEnvironment), false));
            shared.removeAll(everyFunction);
            try (Stream<Path> modules = Files.list(root.resolve("functions"))) {
                for (Path module : modules.sorted().toList()) {
                    Path java = module.resolve("src/main/java");
                    List<Path> sources = sources(java);
                    String name = root.relativize(module).toString();
                    byModule.put(name, read(sources, false));
                    for (Path source : sources) {
                        String className = java.relativize(source).toString().replace('/', '.').replaceAll("\\.java$", "");
                        moduleOfClass.put(className, name);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new CodeVariables(everyFunction, reconciler, shared, byModule, moduleOfClass);
        }

        /** @param settingsOnly only FlowEnvironment.Settings' reads (what it wires for itself) */
        private static Set<String> read(Collection<Path> sources, boolean settingsOnly) {
            Set<String> names = new TreeSet<>();
            for (Path source : sources) {
                String text = String.join("\n", lines(source));
                List<Pattern> patterns = settingsOnly ? List.of(READS.get(2)) : READS;
                for (Pattern pattern : patterns) {
                    Matcher matcher = pattern.matcher(text);
                    while (matcher.find()) {
                        for (int group = 1; group <= matcher.groupCount(); group++) {
                            if (matcher.group(group) != null) {
                                names.add(matcher.group(group));
                            }
                        }
                    }
                }
            }
            return names;
        }

        private static List<Path> sources(Path directory) {
            if (!Files.isDirectory(directory)) {
                return List.of();
            }
            try (Stream<Path> files = Files.walk(directory)) {
                return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String moduleOfHandler(String handler) {
            String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
            return moduleOfClass.get(className);
        }

        Set<String> all() {
            Set<String> all = new TreeSet<>(everyFunction);
            all.addAll(shared);
            byModule.values().forEach(all::addAll);
            return all;
        }
    }
}
