package io.shopsync.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FulfilmentScopeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode sample() throws Exception {
        return (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/fulfillments-create.json"));
    }

    @Test
    void of_shouldBeComplete_whenNoLineOfASuccessfulFulfilmentHasUnitsLeft() throws Exception {
        assertThat(FulfilmentScope.of(sample())).contains(FulfilmentScope.COMPLETE);
    }

    /** Shopify's tracking-update example (shopify-app-js, 2025-07): a fulfilled line that says fulfillable_quantity 1. */
    @Test
    void of_shouldBeComplete_whenTheOrderLineIsFulfilled_evenIfItsFulfillableQuantityDisagrees() throws Exception {
        JsonNode example = JSON.readTree(Fixtures.text(
                "shared/src/test/resources/shopify-reference/fulfillment-update-tracking.json"));

        assertThat(FulfilmentScope.of(example)).contains(FulfilmentScope.COMPLETE);
    }

    @Test
    void of_shouldBePartial_whenALineStillHasUnitsToFulfil_givenAsNumberOrText() throws Exception {
        // a line without a status (the quantity decides), or one that says partial
        ObjectNode byNumber = sample();
        ((ObjectNode) byNumber.path("line_items").get(1)).put("fulfillable_quantity", 1).putNull("fulfillment_status");
        ObjectNode byText = sample();
        ((ObjectNode) byText.path("line_items").get(0)).put("fulfillable_quantity", "2").putNull("fulfillment_status");
        ObjectNode byStatus = sample();
        ((ObjectNode) byStatus.path("line_items").get(0)).put("fulfillment_status", "partial");

        assertThat(FulfilmentScope.of(byNumber)).contains(FulfilmentScope.PARTIAL);
        assertThat(FulfilmentScope.of(byText)).contains(FulfilmentScope.PARTIAL);
        assertThat(FulfilmentScope.of(byStatus)).contains(FulfilmentScope.PARTIAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cancelled", "pending", "open", "error", "failure"})
    void of_shouldBeEmpty_forAFulfilmentThatDidNotShip(String status) throws Exception {
        ObjectNode fulfilment = sample();
        fulfilment.put("status", status);

        assertThat(FulfilmentScope.of(fulfilment)).isEmpty();
        assertThat(FulfilmentScope.annotated(fulfilment).has(FulfilmentScope.FIELD)).isFalse();
    }

    @Test
    void annotated_shouldAddTheScopeToACopy_leavingThePayloadUntouched() throws Exception {
        ObjectNode payload = sample();

        JsonNode annotated = FulfilmentScope.annotated(payload);

        assertThat(annotated.path(FulfilmentScope.FIELD).asText()).isEqualTo("complete");
        assertThat(payload.has(FulfilmentScope.FIELD)).isFalse();
    }
}
