package io.shopsync.connectors.klaviyo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.mapping.Mapping;
import java.util.Objects;

/**
 * The mapping files the Klaviyo order connector applies, each validated against {@link KlaviyoSchemas}
 * when loaded (once per container).
 *
 * @param profile the order's customer as a profile ({@code klaviyo-profile.json}); also applied to refunds
 * @param placedOrder the {@code Placed Order} event of orders/create ({@code klaviyo-placed-order.json})
 * @param orderedProduct one line item, applied to each element of {@code line_items}: an
 *     {@code Ordered Product} event and an entry of the Placed Order's {@code Items}
 *     ({@code klaviyo-ordered-product.json})
 * @param cancelledOrder the {@code Cancelled Order} event of orders/cancelled ({@code klaviyo-cancelled-order.json})
 * @param refundedOrder the {@code Refunded Order} event of refunds/create ({@code klaviyo-refunded-order.json})
 * @param customerProfile a customers/create or customers/update payload as a profile, for deployments that
 *     take those topics ({@code klaviyo-customer-profile.json})
 */
public record KlaviyoMappings(Mapping profile, Mapping placedOrder, Mapping orderedProduct, Mapping cancelledOrder,
                              Mapping refundedOrder, Mapping customerProfile) {

    public static final String PROFILE = "klaviyo-profile";
    public static final String PLACED_ORDER = "klaviyo-placed-order";
    public static final String ORDERED_PRODUCT = "klaviyo-ordered-product";
    public static final String CANCELLED_ORDER = "klaviyo-cancelled-order";
    public static final String REFUNDED_ORDER = "klaviyo-refunded-order";
    public static final String CUSTOMER_PROFILE = "klaviyo-customer-profile";

    public KlaviyoMappings {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(placedOrder, "placedOrder");
        Objects.requireNonNull(orderedProduct, "orderedProduct");
        Objects.requireNonNull(cancelledOrder, "cancelledOrder");
        Objects.requireNonNull(refundedOrder, "refundedOrder");
        Objects.requireNonNull(customerProfile, "customerProfile");
    }

    /** The shipped files ({@code mappings/klaviyo-*.json} on the classpath), or a deployment's overrides in MAPPINGS_DIR. */
    public static KlaviyoMappings load(ObjectMapper json) {
        return new KlaviyoMappings(
                Mapping.load(PROFILE, KlaviyoSchemas.PROFILE, json),
                Mapping.load(PLACED_ORDER, KlaviyoSchemas.EVENT, json),
                Mapping.load(ORDERED_PRODUCT, KlaviyoSchemas.EVENT, json),
                Mapping.load(CANCELLED_ORDER, KlaviyoSchemas.EVENT, json),
                Mapping.load(REFUNDED_ORDER, KlaviyoSchemas.EVENT, json),
                Mapping.load(CUSTOMER_PROFILE, KlaviyoSchemas.PROFILE, json));
    }
}
