package io.shopsync.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dlq}: a flow's dead-letter queue on a deployed stack. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Inspect, redrive or purge (a customer's dead letters) a flow's dead-letter queue on a deployed stack.",
        footer = {"", "FLOW is one of: order-to-crm, stock-to-inventory, fulfilment-to-crm.",
            "AWS credentials and region come from the usual places (AWS_PROFILE, aws sso login, AWS_REGION)."})
final class DlqCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a subcommand: inspect, redrive or purge");
    }
}
