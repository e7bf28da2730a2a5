package io.shopsync.connectors.inventory;

import io.shopsync.delivery.DeliveryOutcome;
import java.util.List;

/**
 * An inventory system stock levels are reported to. The stock flow resolves SKUs and locations and
 * applies the runtime's ordering (an older level never follows a newer one for the same item and
 * location); the system reports what it is given.
 */
public interface InventorySystem {

    /** Short stable name: {@code webhook} (generic signed HTTP), {@code katana}. */
    String name();

    /** @return one outcome per level, in the order of {@code levels} */
    List<DeliveryOutcome> report(List<StockLevel> levels);
}
