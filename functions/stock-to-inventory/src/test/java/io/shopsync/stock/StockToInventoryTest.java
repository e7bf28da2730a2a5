package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.envelope.Body;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StockToInventoryTest {

    private static final String LEVEL_EVENT = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final StockToInventory function = new StockToInventory(TestEnvironments.recording(queues));

    @ParameterizedTest(name = "{0} is about {1}")
    @CsvSource({
            "inventory-levels-update, shopsync-demo.myshopify.com/inventory-level/437290762312585471/655441491",
            "inventory-items-update,  shopsync-demo.myshopify.com/inventory-item/437290762312585471"
    })
    void handleRequest_shouldGroupALevelByItemAndLocation_andAnItemByItself(String file, String entity) {
        String event = Fixtures.text("events/stock-to-inventory/" + file + ".json");

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);

        assertThat(queues.enqueued).singleElement().satisfies(e -> assertThat(e.entity()).isEqualTo(entity));
    }

    @Test
    void handleRequest_shouldQueueTheEventBridgeSample_inTheLevelsGroup() {
        String event = Fixtures.text("events/eventbridge/stock-to-inventory.json");

        assertThat(LambdaInvoker.invoke(function, event).path("status").asText()).isEqualTo("Enqueued");

        assertThat(queues.enqueued).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo("inventory_levels/update");
            assertThat(e.entity()).isEqualTo("shopsync-demo.myshopify.com/inventory-level/437290762312585471/655441491");
        });
    }

    @Test
    void handleRequest_shouldAcceptALevelWhoseAvailableIsNull() {
        // available may be null in Shopify's payload: intake must keep it as sent, not drop or zero it.
        String body = "{\"inventory_item_id\":437290762312585471,\"location_id\":655441491,\"available\":null,"
                + "\"updated_at\":\"2026-11-27T11:29:59-05:00\"}";
        String event = LambdaInvoker.withBody(LEVEL_EVENT, body);

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        assertThat(queues.enqueued).singleElement().satisfies(e -> assertThat(((Body.Inline) e.body()).bytes())
                .isEqualTo(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void handleRequest_shouldDeadLetterALevelWithoutALocation() {
        String event = LambdaInvoker.withBody(LEVEL_EVENT, "{\"inventory_item_id\":437290762312585471,\"available\":4}");

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).singleElement()
                .satisfies(dead -> assertThat(dead.reason().reason()).isEqualTo("payload has no location_id"));
    }

    @Test
    void handleRequest_shouldAnswer401_forATamperedLevel() {
        String event = LambdaInvoker.tampered(LEVEL_EVENT);

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void handleRequest_shouldDeliverTheSampleQueueEvent_toTheFlowsTargets() {
        FakeTarget target = new FakeTarget("fake");
        RecordingFlowQueues delivered = new RecordingFlowQueues();
        StockToInventory withTarget = new StockToInventory(TestEnvironments.delivering(delivered, new RecordingAlerts(), target));

        var response = LambdaInvoker.invoke(withTarget, Fixtures.text("events/stock-to-inventory/sqs-delivery.json"));

        assertThat(response.toString()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(target.effects).singleElement()
                .satisfies(item -> assertThat(item.envelope().entity()).isEqualTo("shopsync-demo.myshopify.com/inventory-level/437290762312585471/655441491"));
        assertThat(delivered.deadLettered).isEmpty();
    }
}
