package io.shopsync.connectors.klaviyo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.mapping.Mapping;
import io.shopsync.mapping.TargetSchema;
import io.shopsync.testkit.Fixtures;

/** The Klaviyo mapping files the order flow ships, read from its module (not on shared's classpath). */
final class ShippedKlaviyoMappings {

    static final String DIRECTORY = "functions/order-to-crm/src/main/resources/mappings/";

    private ShippedKlaviyoMappings() {}

    static KlaviyoMappings load(ObjectMapper json) {
        return new KlaviyoMappings(
                mapping(KlaviyoMappings.PROFILE, KlaviyoSchemas.PROFILE, json),
                mapping(KlaviyoMappings.PLACED_ORDER, KlaviyoSchemas.EVENT, json),
                mapping(KlaviyoMappings.ORDERED_PRODUCT, KlaviyoSchemas.EVENT, json),
                mapping(KlaviyoMappings.CANCELLED_ORDER, KlaviyoSchemas.EVENT, json),
                mapping(KlaviyoMappings.REFUNDED_ORDER, KlaviyoSchemas.EVENT, json),
                mapping(KlaviyoMappings.CUSTOMER_PROFILE, KlaviyoSchemas.PROFILE, json));
    }

    static Mapping mapping(String name, TargetSchema schema, ObjectMapper json) {
        String path = DIRECTORY + name + ".json";
        return Mapping.parse(name, Fixtures.text(path), path, schema, json);
    }
}
