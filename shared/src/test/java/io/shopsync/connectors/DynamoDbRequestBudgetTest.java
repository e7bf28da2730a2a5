package io.shopsync.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The shared budget when DynamoDB cannot be reached: each instance keeps to its share, and says so once. */
class DynamoDbRequestBudgetTest {

    private static final Instant START = Instant.parse("2026-12-03T16:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final CapturedLines log = new CapturedLines();
    /** A real client whose endpoint refuses connections, as an unreachable table does; no SDK retries. */
    private final DynamoDbClient unreachable = DynamoDbClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:1")).region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofMillis(500)))
            .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)))
            .build();

    @Test
    void tryAcquire_shouldFallBackToThisInstancesShareOfTheLimit_andLogItOnce_whenTheTableCannotBeReached() {
        DynamoDbRequestBudget budget = new DynamoDbRequestBudget(unreachable, "shopsync-idempotency",
                "hubspot#shopsync/hubspot-token", 100, Duration.ofSeconds(10), 4, clock,
                new Telemetry(new ObjectMapper(), log, clock), "order-to-crm");

        int granted = 0;
        Optional<Instant> refused = Optional.empty();
        for (int i = 0; i < 40 && refused.isEmpty(); i++) {
            refused = budget.tryAcquire();
            granted += refused.isEmpty() ? 1 : 0;
        }
        long started = System.nanoTime();
        Optional<Instant> waitedFor = budget.acquire(Duration.ofSeconds(2));

        assertThat(granted).isEqualTo(25); // 100 per 10 s shared by 4 instances
        assertThat(refused).contains(START.plusSeconds(10));
        assertThat(waitedFor).contains(START.plusSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        List<JsonNode> lines = log.parsed();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("message").asText()).contains("shared rate budget unavailable");
        assertThat(lines.get(0).path("table").asText()).isEqualTo("shopsync-idempotency");
        assertThat(lines.get(0).path("instanceLimit").asInt()).isEqualTo(25);
        assertThat(lines.get(0).path("action").asText()).contains("UpdateItem");
        assertThat(lines.get(0).toString()).doesNotContain("pat-");
    }

    @Test
    void tryAcquire_shouldAskTheTableAgain_aMinuteAfterItFailed() {
        DynamoDbRequestBudget budget = new DynamoDbRequestBudget(unreachable, "shopsync-idempotency",
                "hubspot#shopsync/hubspot-token", 100, Duration.ofSeconds(10), 4, clock,
                new Telemetry(new ObjectMapper(), log, clock), "order-to-crm");

        budget.tryAcquire();
        clock.advance(Duration.ofSeconds(59));
        budget.tryAcquire();
        assertThat(log.parsed()).hasSize(1);
        clock.advance(Duration.ofSeconds(2));
        budget.tryAcquire();

        assertThat(log.parsed()).hasSize(2);
    }

    @Test
    void slots_shouldGrantAtLeastFourFifthsOfHubSpotsLimits_leavingASlotSpare() {
        assertThat(DynamoDbRequestBudget.slots(100)).isEqualTo(9);
        for (int permits : new int[] {100, 190}) {
            int slots = DynamoDbRequestBudget.slots(permits);
            int perSlot = permits / (slots + 2);
            assertThat(slots * perSlot).isGreaterThanOrEqualTo(permits * 8 / 10);
            assertThat((slots + 2) * perSlot).isLessThanOrEqualTo(permits);
        }
    }
}
