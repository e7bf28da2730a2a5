package io.shopsync.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.MotoSignedAws;
import io.shopsync.testing.MutableClock;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Dead-letter alerts through SNS, gated by the alert window in the DynamoDB delivery table. */
@ExtendWith(AwsBackend.class)
class SnsAlertsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WINDOW = Duration.ofMinutes(15);
    private final AwsClients aws;
    private final AwsClients.TopicProbe topic;
    private final String table;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T16:00:00Z"));
    private final CapturedLines log = new CapturedLines();

    SnsAlertsIT(AwsClients aws) {
        this.aws = aws;
        this.topic = aws.createTopicWithProbe("shopsync-alerts-it");
        this.table = aws.createTable("shopsync-alerts-it");
    }

    /** A new container's alerts: only the table is shared. */
    private SnsAlerts alerts() {
        return new SnsAlerts(MotoSignedAws.sns(aws), topic.topicArn(), new DynamoDbAlertGate(aws.dynamo(), table, WINDOW), WINDOW,
                new Telemetry(JSON, log, clock), clock);
    }

    private static Alert hubspotDown(String webhookId) {
        return new Alert("order-to-crm", "hubspot", "http-401",
                Map.of("shop", "shopsync-demo.myshopify.com", "topic", "orders/create", "webhook id", webhookId),
                "rotate the HubSpot token, then redrive the dead-letter queue");
    }

    private List<String> publishedSubjects() {
        return aws.drain(topic.queueUrl()).stream().map(m -> {
            try {
                return JSON.readTree(m.body()).path("Subject").asText();
            } catch (Exception e) {
                throw new AssertionError("SNS notification is not JSON: " + m.body(), e);
            }
        }).toList();
    }

    @Test
    void anOutage_alertsOncePerWindow_andAgainInEachLaterWindow() {
        alerts().raise(hubspotDown("w-1"));
        clock.advance(Duration.ofMinutes(14));
        alerts().raise(hubspotDown("w-2")); // another container, the same window: suppressed
        clock.advance(Duration.ofMinutes(1));
        alerts().raise(hubspotDown("w-3")); // the next window: the outage is news again
        clock.advance(Duration.ofHours(6));
        alerts().raise(hubspotDown("w-4"));

        assertThat(publishedSubjects()).hasSize(3)
                .containsOnly("Shopsync order-to-crm: dead-lettered (hubspot, http-401)");
        assertThat(log.parsed()).extracting(l -> l.path("message").asText())
                .containsExactly("alert published", "alert suppressed", "alert published", "alert published");
    }

    @Test
    void anotherFlowTargetOrCategory_isNotSuppressedByThisOnesWindow() {
        alerts().raise(hubspotDown("w-1"));
        alerts().raise(new Alert("order-to-crm", "klaviyo", "http-401", Map.of(), "rotate the key"));
        alerts().raise(new Alert("order-to-crm", "hubspot", "http-400", Map.of(), "fix the mapping"));
        alerts().raise(new Alert("fulfilment-to-crm", "hubspot", "http-401", Map.of(), "rotate"));

        assertThat(publishedSubjects()).hasSize(4);
    }
}
