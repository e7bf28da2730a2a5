package io.shopsync.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code webhooks}: a shop's webhook subscriptions to the stack. */
@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "List, register or delete a shop's webhook subscriptions to the stack (Shopify Admin GraphQL API).",
        footer = {"", "Environment: SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET, the client credentials of the shop's "
                + "Dev Dashboard app (a token is obtained from the shop); or SHOPIFY_ADMIN_TOKEN, the shop's Admin API "
                + "access token. Never printed.",
            "The subscriptions are the app's whose token it is: register with the token of the app whose client "
                + "secret the stack verifies webhooks with."})
final class WebhooksCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a subcommand: list, register or delete");
    }
}
