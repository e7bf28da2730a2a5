package io.shopsync.stock;

import io.shopsync.testing.InMemorySkuCache;

class InMemorySkuCacheTest extends SkuCacheContract {

    private final InMemorySkuCache cache = new InMemorySkuCache();

    @Override
    SkuCache cache() {
        return cache;
    }
}
