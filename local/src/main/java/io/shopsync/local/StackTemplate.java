package io.shopsync.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the local stack takes from template.yaml, and only from there, so local runs cannot drift
 * from a deployment: each function's handler class, its HTTP API route and its SQS trigger, and each
 * trigger queue's FIFO-ness, visibility timeout and redrive policy (dead-letter queue and
 * maxReceiveCount, a {@code !Ref} to a parameter resolving to the parameter's default).
 */
record StackTemplate(Path file, List<Function> functions, List<Scheduled> scheduled) {

    /** The stack name {@code ${AWS::StackName}} stands for locally. */
    static final String LOCAL_STACK_NAME = "shopsync-local";

    /**
     * An {@code AWS::Serverless::Function} with an HttpApi event (its webhook route; the order flow's also takes the
     * privacy route, {@code morePaths}) and an SQS event.
     *
     * @param settings the function's environment variables (Globals, then its own) whose values are literals
     *     or parameters' defaults; those that name stack resources (queues, table, topic, bucket) are left
     *     out: the local stack has its own equivalents
     */
    record Function(String logicalId, String handlerClass, String method, String path, List<String> morePaths,
                    Queue queue, Map<String, String> settings) {}

    /** A trigger queue and its dead-letter queue. */
    record Queue(String logicalId, String name, boolean fifo, int visibilityTimeoutSeconds,
                 boolean contentBasedDeduplication, DeadLetterQueue deadLetterQueue, int maxReceiveCount) {}

    record DeadLetterQueue(String logicalId, String name, boolean fifo) {}

    /**
     * A function only a schedule invokes (the reconciler): not a webhook flow, so not among {@link #functions()}.
     *
     * @param schedule its ScheduleExpression, a parameter resolved to its default (e.g. {@code rate(15 minutes)})
     * @param settings as {@link Function#settings()}
     */
    record Scheduled(String logicalId, String handlerClass, String schedule, Map<String, String> settings) {}

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!]+)}");

    /** The nearest template.yaml in {@code start} or above it. */
    static Path find(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new TemplateException("no template.yaml in " + start.toAbsolutePath() + " or above it: run from the "
                + "Shopsync repository, or pass --template PATH");
    }

    static StackTemplate read(Path file) {
        return new Reader(file, CloudFormationYaml.read(file)).read();
    }

    /** Walks the parsed template; every error names the element that is missing and where it belongs. */
    private static final class Reader {
        private final Path file;
        private final Map<String, Object> parameters;
        private final Map<String, Object> resources;
        private final Map<String, Object> globals;

        Reader(Path file, Map<String, Object> template) {
            this.file = file;
            this.parameters = mapOrEmpty(template.get("Parameters"));
            this.resources = mapOrEmpty(template.get("Resources"));
            this.globals = mapOrEmpty(mapOrEmpty(template.get("Globals")).get("Function"));
            if (resources.isEmpty()) {
                throw fail("has no Resources section");
            }
        }

        StackTemplate read() {
            List<Function> functions = new ArrayList<>();
            List<Scheduled> scheduled = new ArrayList<>();
            resources.forEach((id, resource) -> {
                Map<String, Object> body = mapOrEmpty(resource);
                if (!"AWS::Serverless::Function".equals(body.get("Type"))) {
                    return;
                }
                Map<String, Object> properties = mapOrEmpty(body.get("Properties"));
                if (scheduledOnly(properties)) {
                    scheduled.add(scheduled(id, properties));
                } else {
                    functions.add(function(id, properties));
                }
            });
            if (functions.isEmpty()) {
                throw fail("declares no AWS::Serverless::Function: the local stack runs the template's functions");
            }
            return new StackTemplate(file, List.copyOf(functions), List.copyOf(scheduled));
        }

        /**
         * A function only a schedule invokes (the reconciler): not a webhook flow with a route and a queue; the
         * local stack runs it on its own timer against its Shopify Admin stand-in ({@link LocalReconciler}).
         */
        private static boolean scheduledOnly(Map<String, Object> properties) {
            Map<String, Object> events = mapOrEmpty(properties.get("Events"));
            return !events.isEmpty() && events.values().stream().map(event -> mapOrEmpty(event).get("Type"))
                    .allMatch(type -> "Schedule".equals(type) || "ScheduleV2".equals(type));
        }

        private Scheduled scheduled(String id, Map<String, Object> properties) {
            String handlerClass = handlerClass(id, properties);
            String schedule = null;
            for (Object event : mapOrEmpty(properties.get("Events")).values()) {
                Object expression = mapOrEmpty(mapOrEmpty(event).get("Properties")).get("ScheduleExpression");
                if (expression != null && schedule == null) {
                    schedule = String.valueOf(resolve(expression, "function " + id + " ScheduleExpression"));
                }
            }
            return new Scheduled(id, handlerClass, schedule, Map.copyOf(settingsOf(properties)));
        }

        private String handlerClass(String id, Map<String, Object> properties) {
            Object handler = properties.containsKey("Handler") ? properties.get("Handler") : globals.get("Handler");
            if (!(handler instanceof String text) || text.isBlank()) {
                throw fail("function " + id + " has no Handler (Properties.Handler, e.g. "
                        + "io.shopsync.orders.OrderToCrm::handleRequest)");
            }
            return text.contains("::") ? text.substring(0, text.indexOf("::")) : text;
        }

        private Map<String, String> settingsOf(Map<String, Object> properties) {
            Map<String, String> settings = new java.util.LinkedHashMap<>();
            settings(mapOrEmpty(mapOrEmpty(globals.get("Environment")).get("Variables")), settings);
            settings(mapOrEmpty(mapOrEmpty(properties.get("Environment")).get("Variables")), settings);
            return settings;
        }

        private Function function(String id, Map<String, Object> properties) {
            String handlerClass = handlerClass(id, properties);
            Map<String, Object> events = mapOrEmpty(properties.get("Events"));
            Map<String, Object> http = null;
            List<String> morePaths = new java.util.ArrayList<>();
            Map<String, Object> sqs = null;
            String httpName = null;
            String sqsName = null;
            for (Map.Entry<String, Object> event : events.entrySet()) {
                Map<String, Object> body = mapOrEmpty(event.getValue());
                Object type = body.get("Type");
                if ("HttpApi".equals(type)) {
                    if (http != null) {
                        Map<String, Object> more = mapOrEmpty(body.get("Properties"));
                        String morePath = requiredText(more, "Path", "function " + id + " event " + event.getKey());
                        if (!"POST".equalsIgnoreCase(requiredText(more, "Method", "function " + id + " event "
                                + event.getKey()))) {
                            throw fail("function " + id + " event " + event.getKey() + " is not POST: Shopify POSTs webhooks");
                        }
                        morePaths.add(morePath);
                        continue;
                    }
                    http = mapOrEmpty(body.get("Properties"));
                    httpName = event.getKey();
                } else if ("SQS".equals(type)) {
                    if (sqs != null) {
                        throw fail("function " + id + " has two SQS events (" + sqsName + ", " + event.getKey()
                                + "): each flow has one work queue");
                    }
                    sqs = mapOrEmpty(body.get("Properties"));
                    sqsName = event.getKey();
                }
            }
            if (http == null) {
                throw fail("function " + id + " has no HttpApi event (Events.<name>.Type: HttpApi with Method and "
                        + "Path): that is its webhook route");
            }
            if (sqs == null) {
                throw fail("function " + id + " has no SQS event (Events.<name>.Type: SQS with Queue): that is "
                        + "its delivery trigger");
            }
            String method = requiredText(http, "Method", "function " + id + " event " + httpName);
            String path = requiredText(http, "Path", "function " + id + " event " + httpName);
            Object responseTypes = sqs.get("FunctionResponseTypes");
            if (!(responseTypes instanceof List<?> list) || !list.contains("ReportBatchItemFailures")) {
                throw fail("function " + id + " event " + sqsName + " lacks FunctionResponseTypes: "
                        + "[ReportBatchItemFailures]; the delivery path reports failed messages one by one");
            }
            String queueId = resourceOf(sqs.get("Queue"), "function " + id + " event " + sqsName + " Queue");
            return new Function(id, handlerClass, method.toUpperCase(Locale.ROOT), path, List.copyOf(morePaths),
                    queue(queueId, "function " + id + " event " + sqsName), Map.copyOf(settingsOf(properties)));
        }

        private void settings(Map<String, Object> variables, Map<String, String> out) {
            variables.forEach((name, value) -> {
                if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                    out.put(name, String.valueOf(value));
                } else if (value instanceof Map<?, ?> map && map.get("Ref") instanceof String ref
                        && parameters.containsKey(ref)) {
                    out.put(name, String.valueOf(resolve(value, "environment variable " + name)));
                }
            });
        }

        private Queue queue(String id, String usedBy) {
            Map<String, Object> properties = queueProperties(id, usedBy);
            boolean fifo = bool(properties.get("FifoQueue"));
            int visibility = properties.containsKey("VisibilityTimeout")
                    ? integer(properties.get("VisibilityTimeout"), "queue " + id + " VisibilityTimeout") : 30;
            Map<String, Object> redrive = mapOrEmpty(properties.get("RedrivePolicy"));
            if (redrive.isEmpty()) {
                throw fail("queue " + id + " has no RedrivePolicy (deadLetterTargetArn, maxReceiveCount): every "
                        + "work queue needs a dead-letter queue, so nothing is dropped");
            }
            String dlqId = resourceOf(redrive.get("deadLetterTargetArn"), "queue " + id + " RedrivePolicy.deadLetterTargetArn");
            Object maxReceive = redrive.get("maxReceiveCount");
            if (maxReceive == null) {
                throw fail("queue " + id + " RedrivePolicy has no maxReceiveCount");
            }
            int maxReceiveCount = integer(resolve(maxReceive, "queue " + id + " RedrivePolicy.maxReceiveCount"),
                    "queue " + id + " RedrivePolicy.maxReceiveCount");
            Map<String, Object> dlqProperties = queueProperties(dlqId, "queue " + id + " RedrivePolicy");
            boolean dlqFifo = bool(dlqProperties.get("FifoQueue"));
            DeadLetterQueue dlq = new DeadLetterQueue(dlqId, queueName(dlqId, dlqProperties, dlqFifo), dlqFifo);
            return new Queue(id, queueName(id, properties, fifo), fifo, visibility,
                    bool(properties.get("ContentBasedDeduplication")), dlq, maxReceiveCount);
        }

        private Map<String, Object> queueProperties(String id, String usedBy) {
            Map<String, Object> resource = mapOrEmpty(resources.get(id));
            if (resource.isEmpty()) {
                throw fail(usedBy + " refers to " + id + ", which is not a resource of the template");
            }
            if (!"AWS::SQS::Queue".equals(resource.get("Type"))) {
                throw fail(usedBy + " refers to " + id + ", which is a " + resource.get("Type") + ", not an AWS::SQS::Queue");
            }
            return mapOrEmpty(resource.get("Properties"));
        }

        /** The queue's name with the stack name filled in; CloudFormation's generated name when it has none. */
        private String queueName(String id, Map<String, Object> properties, boolean fifo) {
            Object name = properties.get("QueueName");
            if (name == null) {
                return LOCAL_STACK_NAME + "-" + id + (fifo ? ".fifo" : "");
            }
            return String.valueOf(resolve(name, "queue " + id + " QueueName"));
        }

        /** Resolves Ref to a parameter (its Default) or a pseudo parameter, and Fn::Sub over those. */
        private Object resolve(Object value, String where) {
            if (!(value instanceof Map<?, ?> map)) {
                return value;
            }
            if (map.containsKey("Ref")) {
                return reference(String.valueOf(map.get("Ref")), where);
            }
            if (map.containsKey("Fn::Sub") && map.get("Fn::Sub") instanceof String text) {
                Matcher matcher = SUB_VARIABLE.matcher(text);
                StringBuilder out = new StringBuilder();
                while (matcher.find()) {
                    matcher.appendReplacement(out, Matcher.quoteReplacement(
                            String.valueOf(reference(matcher.group(1), where))));
                }
                matcher.appendTail(out);
                return out.toString();
            }
            throw fail(where + " uses " + map.keySet() + ", which the local stack cannot resolve: use a literal, a "
                    + "!Ref to a parameter with a Default, or !Sub over those");
        }

        private Object reference(String name, String where) {
            switch (name) {
                case "AWS::StackName":
                    return LOCAL_STACK_NAME;
                case "AWS::Region":
                    return "us-east-1";
                case "AWS::AccountId":
                    return "000000000000";
                case "AWS::Partition":
                    return "aws";
                case "AWS::URLSuffix":
                    return "amazonaws.com";
                default:
                    break;
            }
            Map<String, Object> parameter = mapOrEmpty(parameters.get(name));
            if (parameter.isEmpty()) {
                throw fail(where + " refers to " + name + ", which is neither a parameter nor a pseudo parameter");
            }
            if (!parameter.containsKey("Default")) {
                throw fail(where + " refers to parameter " + name + ", which has no Default: give it one");
            }
            return parameter.get("Default");
        }

        /** The logical id behind {@code !GetAtt X.Arn} or {@code !Ref X}. */
        private String resourceOf(Object value, String where) {
            if (value instanceof Map<?, ?> map) {
                Object getAtt = map.get("Fn::GetAtt");
                if (getAtt instanceof List<?> parts && !parts.isEmpty()) {
                    return String.valueOf(parts.get(0));
                }
                if (map.get("Ref") instanceof String ref && resources.containsKey(ref)) {
                    return ref;
                }
            }
            throw fail(where + " must be !GetAtt <QueueResource>.Arn, got " + value);
        }

        private String requiredText(Map<String, Object> map, String key, String where) {
            Object value = map.get(key);
            if (!(value instanceof String text) || text.isBlank()) {
                throw fail(where + " has no " + key);
            }
            return text;
        }

        private int integer(Object value, String where) {
            if (value instanceof Number number) {
                return number.intValue();
            }
            try {
                return Integer.parseInt(String.valueOf(value).trim());
            } catch (NumberFormatException e) {
                throw fail(where + " must be a whole number, got " + value);
            }
        }

        private static boolean bool(Object value) {
            return value instanceof Boolean b ? b : "true".equalsIgnoreCase(String.valueOf(value));
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> mapOrEmpty(Object value) {
            return value instanceof Map ? (Map<String, Object>) value : new LinkedHashMap<>();
        }

        private TemplateException fail(String what) {
            return new TemplateException(file + ": " + what);
        }
    }
}
