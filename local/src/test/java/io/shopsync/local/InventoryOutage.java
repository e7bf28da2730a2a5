package io.shopsync.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.http.HttpTransport;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The stock flow's inventory endpoint (the dry run's generic signed webhook) refusing or failing for one
 * inventory item, as a real endpoint answers a request whose signature it does not accept (401) or while it is
 * down (503), and the stock sample from events/ re-made for that item under a fresh webhook and event id (a
 * different entity, so no watermark of the samples makes it stale).
 */
final class InventoryOutage {

    static final String HOST = URI.create(LocalSettings.LOCAL_DEFAULTS.get("INVENTORY_WEBHOOK_URL")).getHost();
    private static final String SAMPLE_ITEM = "437290762312585471";

    private InventoryOutage() {}

    /** events/stock-to-inventory/inventory-levels-update.json for another inventory item, as a new webhook. */
    static ObjectNode levelUpdateFor(String inventoryItemId) {
        ObjectNode event = SignedWebhooks.event(Fixtures.path("events/stock-to-inventory/inventory-levels-update.json"));
        event.put("body", event.path("body").asText().replace(SAMPLE_ITEM, inventoryItemId));
        ((ObjectNode) event.path("headers")).put("x-shopify-webhook-id", UUID.randomUUID().toString())
                .put("x-shopify-event-id", UUID.randomUUID().toString());
        return event;
    }

    /** The endpoint answers {@code status} for requests about the item (its SKU names it), 200 for the others. */
    static void answer(RunningStack stack, String inventoryItemId, int status) {
        stack.outbox().respond(HOST, request -> {
            try {
                if (Outbox.bodyOf(request).contains(inventoryItemId)) {
                    return new HttpTransport.Answer(status, HttpHeaders.of(Map.of("content-type", List.of("application/json")),
                            (a, b) -> true), "{\"error\":\"invalid signature\"}");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Outbox.OK;
        });
    }

    /** The endpoint works again for every item. */
    static void fixed(RunningStack stack) {
        stack.outbox().respond(HOST, request -> Outbox.OK);
    }
}
