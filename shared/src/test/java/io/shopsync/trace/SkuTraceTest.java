package io.shopsync.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.testing.InMemoryDeliveryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SkuTraceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";

    /**
     * Shopify's answer to {@code inventoryItems(query: "sku:\"SS-MCS-OAT-M\"")}: its search matches by prefix and word,
     * so a longer SKU and another case come back too.
     */
    private static final String ANSWER = """
            {"inventoryItems": {"nodes": [
              {"id": "gid://shopify/InventoryItem/437290762312585471", "sku": "SS-MCS-OAT-M", "inventoryLevels": {"nodes": [
                {"location": {"id": "gid://shopify/Location/655441491"}},
                {"location": {"id": "gid://shopify/Location/71234567890"}}]}},
              {"id": "gid://shopify/InventoryItem/437290762312585472", "sku": "SS-MCS-OAT-M-TALL", "inventoryLevels": {"nodes": [
                {"location": {"id": "gid://shopify/Location/655441491"}}]}},
              {"id": "gid://shopify/InventoryItem/437290762312585473", "sku": "ss-mcs-oat-m", "inventoryLevels": {"nodes": []}}
            ]}}
            """;

    private final EntityTrace trace = new EntityTrace(new InMemoryDeliveryStore(), Duration.ofHours(72), List::of,
            new EntityTrace.NextSteps() {
                @Override
                public String redrive(String flow) {
                    return "redrive " + flow;
                }

                @Override
                public String unknown(String what) {
                    return "look elsewhere";
                }
            }, Clock.fixed(Instant.parse("2026-11-27T16:00:00Z"), ZoneOffset.UTC));

    @Test
    void items_keepsOnlyTheExactSku_withTheLocationsShopifyNames() throws Exception {
        List<SkuTrace.Item> items = SkuTrace.items(JSON.readTree(ANSWER), "SS-MCS-OAT-M");

        assertThat(items).containsExactly(new SkuTrace.Item("437290762312585471", List.of("655441491", "71234567890")));
        assertThat(SkuTrace.variables("SS \"MCS\"", JSON).path("query").asText()).isEqualTo("sku:\"SS \\\"MCS\\\"\"");
    }

    @Test
    void trace_namesEachLevel_atEveryLocation_orTheOneGiven_andIsNotFoundWhenNoneHasARecord() throws Exception {
        List<SkuTrace.Item> items = SkuTrace.items(JSON.readTree(ANSWER), "SS-MCS-OAT-M");

        SkuTrace.Answer all = SkuTrace.trace(trace, SHOP, "SS-MCS-OAT-M", Optional.empty(), items);
        SkuTrace.Answer one = SkuTrace.trace(trace, SHOP, "SS-MCS-OAT-M", Optional.of("80000000001"), items);

        assertThat(all.levels()).extracting(r -> r.query().entity()).containsExactly(
                SHOP + "/inventory-level/437290762312585471/655441491",
                SHOP + "/inventory-level/437290762312585471/71234567890");
        assertThat(all.found()).isFalse();
        assertThat(SkuTrace.text(all, trace)).startsWith("SKU SS-MCS-OAT-M at " + SHOP + ": inventory item "
                        + "437290762312585471 at 2 locations (resolved through Shopify's Admin API)\n")
                .contains("no webhook for inventory level of item 437290762312585471 at location 71234567890 of " + SHOP);
        // A location Shopify no longer lists (disconnected) is still traced when given.
        assertThat(one.levels()).extracting(r -> r.query().entity())
                .containsExactly(SHOP + "/inventory-level/437290762312585471/80000000001");
    }
}
