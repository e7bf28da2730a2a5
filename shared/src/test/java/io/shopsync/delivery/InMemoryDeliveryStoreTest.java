package io.shopsync.delivery;

import io.shopsync.testing.InMemoryDeliveryStore;

class InMemoryDeliveryStoreTest extends DeliveryStoreContract {

    private final InMemoryDeliveryStore store = new InMemoryDeliveryStore(LEASE, RETENTION);

    @Override
    DeliveryStore store() {
        return store;
    }
}
