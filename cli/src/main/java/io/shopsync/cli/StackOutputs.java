package io.shopsync.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/**
 * A deployed stack's outputs (DescribeStacks): its webhook URLs and queue URLs, by output key; and the
 * parameters it was deployed with (which topics the order flow takes).
 */
final class StackOutputs {

    private final String stackName;
    private final Map<String, String> outputs;
    private final Map<String, String> parameters;

    private StackOutputs(String stackName, Map<String, String> outputs, Map<String, String> parameters) {
        this.stackName = stackName;
        this.outputs = Map.copyOf(outputs);
        this.parameters = Map.copyOf(parameters);
    }

    static StackOutputs read(AwsClients aws, String stackName) {
        String what = "reading the outputs of stack " + stackName;
        Stack stack;
        try {
            stack = aws.cloudFormation().describeStacks(r -> r.stackName(stackName)).stacks().stream().findFirst()
                    .orElseThrow(() -> notFound(aws, stackName));
        } catch (CloudFormationException e) {
            throw e.getMessage() != null && e.getMessage().contains("does not exist")
                    ? notFound(aws, stackName) : aws.failure(what, e);
        } catch (SdkException e) {
            throw aws.failure(what, e);
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Output output : stack.outputs()) {
            if (output.outputKey() != null && output.outputValue() != null) {
                outputs.put(output.outputKey(), output.outputValue());
            }
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Parameter parameter : stack.parameters()) {
            if (parameter.parameterKey() != null && parameter.parameterValue() != null) {
                parameters.put(parameter.parameterKey(), parameter.parameterValue());
            }
        }
        return new StackOutputs(stackName, outputs, parameters);
    }

    private static CliException notFound(AwsClients aws, String stackName) {
        return new CliException("stack " + stackName + " does not exist " + aws.where()
                + ": give the stack name sam deploy used (--stack) and its region (--region or AWS_REGION)");
    }

    String require(String key) {
        String value = outputs.get(key);
        if (value == null || value.isBlank()) {
            throw new CliException("stack " + stackName + " has no output " + key + " (it has: "
                    + (outputs.isEmpty() ? "none" : outputs.keySet().stream().sorted().collect(Collectors.joining(", ")))
                    + "): is it a Shopsync stack, deployed from the current template.yaml? Deploy it again (sam deploy), "
                    + "or give the URL yourself");
        }
        return value;
    }

    /** A parameter's value as the stack was deployed with it; empty when the stack has no such parameter. */
    Optional<String> parameter(String key) {
        return Optional.ofNullable(parameters.get(key));
    }
}
