package io.shopsync.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RollingWindow;
import io.shopsync.testing.SerializedDynamoDb;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The shared budget on the real DynamoDB client, on a clock the test moves: instances standing for the order and
 * fulfilment flows' concurrent instances take permits as fast as they are granted, and no rolling window of the
 * limit's length ever holds more than the limit.
 */
@ExtendWith(AwsBackend.class)
class DynamoDbRequestBudgetIT {

    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Instant START = Instant.parse("2026-12-03T16:00:00Z");

    private final String table;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final DynamoDbClient dynamo;
    private final MutableClock clock = new MutableClock(START);
    private final CapturedLines log = new CapturedLines();

    DynamoDbRequestBudgetIT(AwsClients aws) {
        this.table = aws.createTable("shopsync-budget-it");
        this.dynamo = SerializedDynamoDb.counting(aws, requests);
    }

    private DynamoDbRequestBudget budget(String account, int permits, int instances) {
        return new DynamoDbRequestBudget(dynamo, table, account, permits, WINDOW, instances, clock,
                new Telemetry(new ObjectMapper(), log, clock), "order-to-crm");
    }


    @Test
    void instancesTakingPermitsAsFastAsGranted_neverExceedTheLimit_inAnyRollingWindow() {
        for (int permits : new int[] {100, 190}) {
            List<DynamoDbRequestBudget> instances = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                instances.add(budget("hubspot#limit-" + permits, permits, 6));
            }
            requests.clear();
            List<Instant> granted = new ArrayList<>();
            // 30 s in steps of 50 ms; in each step every instance takes permits until it is refused.
            for (int step = 0; step < 600; step++) {
                for (DynamoDbRequestBudget instance : instances) {
                    while (instance.tryAcquire().isEmpty()) {
                        granted.add(clock.instant());
                    }
                }
                clock.advance(Duration.ofMillis(50));
            }

            int busiest = RollingWindow.busiest(granted, WINDOW);
            int perWindow = instances.get(0).grantedPerWindow();
            System.out.printf("shared budget, %d per 10 s, 6 instances: busiest rolling 10 s %d, granted per window %d,"
                            + " %d permits in 30 s with %d UpdateItem (%.2f per permit)%n", permits, busiest, perWindow,
                    granted.size(), requests.size(), (double) requests.size() / granted.size());
            assertThat(busiest).isLessThanOrEqualTo(permits);
            // Room left for the spread of travel times: at least one slot's share below the limit.
            assertThat(busiest).isLessThanOrEqualTo(permits - permits / (DynamoDbRequestBudget.slots(permits) + 2));
            assertThat(busiest).isGreaterThanOrEqualTo(perWindow);
            assertThat(perWindow).isGreaterThanOrEqualTo(permits * 8 / 10);
            // Each permit is one UpdateItem; each instance is refused once per slot, then waits without asking.
            long slotMillis = (WINDOW.toMillis() + DynamoDbRequestBudget.slots(permits) - 1) / DynamoDbRequestBudget.slots(permits);
            long slots = Duration.ofSeconds(30).toMillis() / slotMillis + 2; // the first and last in part
            assertThat(requests).containsOnly("UpdateItem");
            assertThat(requests.size()).isLessThanOrEqualTo(granted.size() + (int) slots * instances.size());
            clock.advance(Duration.ofMinutes(1));
        }
    }

    @Test
    void aSlotSpentByOthers_isRefused_untilTheNextSlot_withoutAskingTheTableAgain() {
        DynamoDbRequestBudget first = budget("hubspot#shopsync/hubspot-token", 100, 4);
        DynamoDbRequestBudget second = budget("hubspot#shopsync/hubspot-token", 100, 4);
        DynamoDbRequestBudget otherAccount = budget("hubspot#other-token", 100, 4);
        for (int i = 0; i < 9; i++) {
            assertThat(first.tryAcquire()).isEmpty();
        }
        requests.clear();

        Optional<Instant> refused = second.tryAcquire();
        Optional<Instant> refusedAgain = second.acquire(Duration.ZERO);

        Instant nextSlot = Instant.ofEpochMilli((START.toEpochMilli() / 1112 + 1) * 1112); // 100 per 10 s: slots of 1,112 ms
        assertThat(refused).contains(nextSlot);
        assertThat(refusedAgain).contains(nextSlot);
        assertThat(requests).hasSize(1);
        assertThat(otherAccount.tryAcquire()).isEmpty();
        clock.advance(Duration.between(START, nextSlot));
        assertThat(second.tryAcquire()).isEmpty();
        assertThat(log.raw).isEmpty();
    }
}
