package io.shopsync.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the stack is: the AWS region, or an AWS-compatible endpoint (tests, local emulators). */
final class AwsOptions {

    @Option(names = "--region", paramLabel = "REGION",
            description = "the stack's AWS region (default: AWS_REGION, else your AWS profile's region)")
    String region;

    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "an AWS-compatible endpoint instead of AWS, e.g. http://127.0.0.1:9324 "
                    + "(default: AWS_ENDPOINT_URL)")
    String endpointUrl;

    /** These options again, for a command the operator may run next. */
    List<String> asArguments() {
        List<String> arguments = new ArrayList<>();
        if (region != null && !region.isBlank()) {
            arguments.add("--region " + region.trim());
        }
        if (endpointUrl != null && !endpointUrl.isBlank()) {
            arguments.add("--endpoint-url " + endpointUrl.trim());
        }
        return arguments;
    }
}
