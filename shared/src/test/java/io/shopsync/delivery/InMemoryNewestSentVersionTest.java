package io.shopsync.delivery;

import io.shopsync.testing.InMemoryDeliveryStore;
import java.time.Duration;

class InMemoryNewestSentVersionTest extends NewestSentVersionContract {

    private final InMemoryDeliveryStore store = new InMemoryDeliveryStore(LEASE, Duration.ofHours(72));

    @Override
    DeliveryStore store() {
        return store;
    }
}
