package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/local as a user runs it: the command line, its output and its exit code. */
class LocalStackCommandIT {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LocalStack.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), false);
    }

    @Test
    void replay_postsTheSamples_andPrintsATablePerFlow() {
        int code = run("--port", "0", "--replay", "--exit-after-replay", "--log", dir.resolve("log").toString());

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err).isZero();
        assertThat(printed).contains("replay: posted 10 webhooks, all answered 200", "replay: every flow is idle");
        assertThat(printed).contains("order-to-crm   POST /webhooks/orders", "stock-to-inventory   POST /webhooks/inventory",
                "fulfilment-to-crm   POST /webhooks/fulfilments");
        assertThat(printed).contains("orders/create", "inventory_levels/update", "fulfillments/update");
        // Every sample settles: delivered, or stale when an older version is processed after a newer one.
        assertThat(printed).containsPattern("total\\s+6\\s+\\d+\\s+0\\s+\\d+\\s+0\\n");
        assertThat(printed).containsPattern("total\\s+2\\s+\\d+\\s+0\\s+\\d+\\s+0\\n");
        assertThat(printed).containsPattern("targets sent: hubspot \\d+ requests");
        assertThat(printed).contains("webhook 1 request");
        assertThat(printed).doesNotContain("has no target configured");
    }

    @Test
    void aBusyPort_failsWithWhatToDo_andExitCode2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            int code = run("--port", Integer.toString(port), "--log", dir.resolve("log").toString());

            assertThat(code).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("port " + port + " is in use: stop the other process or pass --port");
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ready:");
        }
    }

    @Test
    void aTemplateWithoutWhatTheStackNeeds_failsNamingTheMissingElement() throws Exception {
        Path template = dir.resolve("template.yaml");
        Files.writeString(template, """
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: io.shopsync.orders.OrderToCrm::handleRequest
                """);

        int code = run("--port", "0", "--template", template.toString(), "--log", dir.resolve("log").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("function Fn has no HttpApi event");
    }
}
