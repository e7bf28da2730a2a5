package io.shopsync.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scripts/shopsync}: the operator's commands for a Shopsync stack, local or deployed. The
 * command tree is wired here with constructors; each command gets the context it needs.
 *
 * <p>Exit codes: 0 done, 1 failed (the message says what to do next), 2 bad usage.
 */
@Command(name = "scripts/shopsync", mixinStandardHelpOptions = true, version = "shopsync-cli 0.1.0",
        description = "Operates a Shopsync stack: replays signed webhooks, inspects and redrives a flow's dead-letter "
                + "queue, registers the shop's webhook subscriptions, reconciles or imports a shop's history, traces one order.",
        footer = {"", "Run scripts/shopsync COMMAND --help for a command's options and examples.",
            "Exit codes: 0 done, 1 failed (the message says what to do next), 2 bad usage."})
public final class ShopsyncCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a command: replay, dlq, webhooks, reconcile or trace");
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, CliContext.system()));
    }

    /** Runs a command line and answers its exit code; tests call this with their own context. */
    static int execute(String[] args, PrintStream out, PrintStream err, CliContext context) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        CommandLine commandLine = commandLine(context, http);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    static CommandLine commandLine(CliContext context, HttpClient http) {
        CommandLine root = new CommandLine(new ShopsyncCli());
        root.addSubcommand(new ReplayCommand(context, http));
        root.addSubcommand(new CommandLine(new DlqCommand())
                .addSubcommand(new DlqInspectCommand(context))
                .addSubcommand(new DlqRedriveCommand(context))
                .addSubcommand(new DlqPurgeCommand(context)));
        root.addSubcommand(new CommandLine(new WebhooksCommand())
                .addSubcommand(new WebhooksListCommand(context, http))
                .addSubcommand(new WebhooksRegisterCommand(context, http))
                .addSubcommand(new WebhooksDeleteCommand(context, http)));
        root.addSubcommand(new ReconcileCommand(context, http));
        root.addSubcommand(new TraceCommand(context, http));
        root.setUsageHelpWidth(100);
        root.setUsageHelpAutoWidth(true);
        root.setExecutionExceptionHandler((exception, command, parseResult) -> {
            PrintWriter err = command.getErr();
            String name = command.getCommandSpec().qualifiedName(" ");
            if (exception instanceof CliException) {
                err.println(name + ": " + exception.getMessage());
            } else {
                err.println(name + ": unexpected " + exception.getClass().getName() + ": " + exception.getMessage());
                if (context.setting("SHOPSYNC_DEBUG").isPresent()) {
                    exception.printStackTrace(err);
                } else {
                    err.println("(this is a bug: SHOPSYNC_DEBUG=1 shows the stack trace; please report it)");
                }
            }
            err.flush();
            return 1;
        });
        return root;
    }
}
