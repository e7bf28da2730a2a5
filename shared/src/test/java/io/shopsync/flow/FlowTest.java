package io.shopsync.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlowTest {

    @Test
    void accepts_shouldMapEachTopicToItsEntityKey() {
        EntityKey order = EntityKeys.byId("order", "id");
        Flow flow = Flow.named("order-to-crm").accepts(order, "orders/create", "orders/paid");

        assertThat(flow.topics()).containsExactly("orders/create", "orders/paid");
        assertThat(flow.entityKeyFor("orders/paid")).containsSame(order);
        assertThat(flow.entityKeyFor("products/update")).isEmpty();
    }

    @Test
    void accepts_shouldRefuseATopicDeclaredTwice() {
        assertThatThrownBy(() -> Flow.named("order-to-crm")
                .accepts(EntityKeys.byId("order", "id"), "orders/create")
                .accepts(EntityKeys.byId("order", "order_id"), "orders/create"))
                .hasMessageContaining("declares topic orders/create twice");
    }

    @Test
    void named_shouldRefuseNamesThatAreNotKebabCase() {
        assertThatThrownBy(() -> Flow.named("Order To CRM")).isInstanceOf(IllegalArgumentException.class);
    }
}
