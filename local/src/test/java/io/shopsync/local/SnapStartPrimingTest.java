package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.InMemoryReportedLevels;
import io.shopsync.testing.InMemorySkuCache;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * FlowFunction's SnapStart priming, for each flow the template deploys, with every target configured:
 * it runs the hot path without touching anything outside the process. (Outside a CRaC-capable runtime
 * the beforeCheckpoint hook is never called, so the test calls what it runs.)
 */
class SnapStartPrimingTest {

    /** Every target of every flow turned on, with inline credentials: priming must use none of them. */
    private static final Map<String, String> ALL_TARGETS = Map.of(
            "CRM_TARGETS", "hubspot,klaviyo",
            "HUBSPOT_TOKEN", "pat-na1-priming-test",
            "KLAVIYO_API_KEY", "pk_priming_test",
            "ORDER_FLOW_CUSTOMER_TOPICS", "true",
            "INVENTORY_TARGET", "webhook",
            "INVENTORY_WEBHOOK_URL", "https://inventory.invalid/levels",
            "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
            "SHOPIFY_ADMIN_TOKENS", "shpat_priming",
            "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\"}");

    @Test
    void prime_runsEveryFlowsHotPath_withoutQueues_targets_alertsOrLogLines() throws Exception {
        for (String handler : new String[] {"io.shopsync.orders.OrderToCrm", "io.shopsync.stock.StockToInventory",
                "io.shopsync.fulfilments.FulfilmentToCrm"}) {
            RecordingFlowQueues queues = new RecordingFlowQueues();
            RecordingAlerts alerts = new RecordingAlerts();
            CapturedLines lines = new CapturedLines();
            AtomicInteger requests = new AtomicInteger();
            ObjectMapper json = new ObjectMapper();
            FlowEnvironment environment = FlowEnvironment.builder()
                    .variables(ALL_TARGETS)
                    .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(LambdaInvoker.DEV_SECRET, "dev secret")))
                    .queues(queues)
                    .json(json)
                    .telemetry(new Telemetry(json, lines, Clock.systemUTC()))
                    .deliveryStore(new InMemoryDeliveryStore())
                    .skuCache(new InMemorySkuCache())
                    .reportedLevels(new InMemoryReportedLevels())
                    .alerts(alerts)
                    .claimChecks(new ClaimCheckStore() {
                        public Body.ClaimCheck store(Envelope envelope, byte[] body) {
                            throw new AssertionError("priming stored a claim check");
                        }

                        public byte[] fetch(Body.ClaimCheck claimCheck) {
                            throw new AssertionError("priming fetched a claim check");
                        }
                    })
                    .transport(request -> {
                        requests.incrementAndGet();
                        throw new AssertionError("priming sent a request to " + request.uri());
                    })
                    .build();
            FlowFunction function = KnownFlows.forHandlerClass(handler).orElseThrow().constructor().apply(environment);

            PrintStream stdout = System.out;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                assertThatCode(function::prime).as(handler).doesNotThrowAnyException();
            } finally {
                System.setOut(stdout);
            }

            assertThat(queues.enqueued).as(handler).isEmpty();
            assertThat(queues.deadLettered).as(handler).isEmpty();
            assertThat(queues.delays).as(handler).isEmpty();
            assertThat(alerts.raised).as(handler).isEmpty();
            assertThat(requests).as(handler).hasValue(0);
            // A line on standard output would be counted by CloudWatch as a real webhook.
            assertThat(lines.raw).as(handler).isEmpty();
            assertThat(printed.toString(StandardCharsets.UTF_8)).as(handler).isEmpty();
        }
    }
}
