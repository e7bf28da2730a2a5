package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command tree: help on every command, and usage errors that say what to give. */
class ShopsyncCliTest {

    private final CliRun cli = new CliRun(Map.of(), Duration.ZERO);

    @ParameterizedTest
    @ValueSource(strings = {"", "replay", "dlq", "dlq inspect", "dlq redrive", "webhooks", "webhooks list",
        "webhooks register", "webhooks delete", "reconcile"})
    void help_shouldDescribeEveryCommand_andExitZero(String command) {
        String[] args = (command + " --help").trim().split(" ");

        CliRun.Result result = cli.run(args);

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: scripts/shopsync " + command);
        assertThat(result.err()).isEmpty();
    }

    @Test
    void help_shouldListTheCommands() {
        CliRun.Result result = cli.run("--help");

        assertThat(result.out()).contains("replay", "dlq", "webhooks", "reconcile", "Exit codes: 0 done, 1 failed");
    }

    @Test
    void aCommandGroupWithoutASubcommand_shouldSayWhichToGive_andExitTwo() {
        CliRun.Result result = cli.run("dlq");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("give a subcommand: inspect, redrive or purge", "Usage: scripts/shopsync dlq");
    }
}
