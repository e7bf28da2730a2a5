package io.shopsync.connectors.klaviyo;

import io.shopsync.mapping.TargetSchema;
import java.util.Set;

/**
 * What Klaviyo's profile and event attributes accept, so a mapping naming anything else fails when it
 * is loaded. A dotted name nests: {@code location.city} is written as {@code {"location":{"city":…}}},
 * {@code properties.OrderId} as {@code {"properties":{"OrderId":…}}}.
 */
public final class KlaviyoSchemas {

    private KlaviyoSchemas() {}

    /** {@code POST /api/profile-import} attributes; any custom profile property under {@code properties.}. */
    public static final TargetSchema PROFILE = new TargetSchema(Set.of(
            "email", "phone_number", "external_id", "first_name", "last_name", "organization", "locale", "title",
            "image", "location.address1", "location.address2", "location.city", "location.country",
            "location.region", "location.zip", "location.timezone"), "properties.");

    /**
     * Event attributes a mapping may set: the event's {@code value} (a number: revenue), its ISO 4217
     * {@code value_currency} and {@code time}, and any event property under {@code properties.}. The
     * metric, the profile and {@code unique_id} are the connector's.
     */
    public static final TargetSchema EVENT = new TargetSchema(Set.of("value", "value_currency", "time"), "properties.");
}
