package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StockQuantityTest {

    @Test
    void parse_shouldDefaultToAvailable_andReadBothSettings() {
        assertThat(StockQuantity.parse(null, "STOCK_QUANTITY")).isEqualTo(StockQuantity.AVAILABLE);
        assertThat(StockQuantity.parse(" ", "STOCK_QUANTITY")).isEqualTo(StockQuantity.AVAILABLE);
        assertThat(StockQuantity.parse("available", "STOCK_QUANTITY")).isEqualTo(StockQuantity.AVAILABLE);
        assertThat(StockQuantity.parse("ON_HAND", "STOCK_QUANTITY")).isEqualTo(StockQuantity.ON_HAND);
    }

    @Test
    void parse_shouldFailTheColdStart_forAnyOtherValue() {
        assertThatThrownBy(() -> StockQuantity.parse("committed", "STOCK_QUANTITY"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("STOCK_QUANTITY")
                .hasMessageContaining("available or on_hand");
    }
}
