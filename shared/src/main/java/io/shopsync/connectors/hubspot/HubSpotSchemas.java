package io.shopsync.connectors.hubspot;

import io.shopsync.mapping.TargetSchema;

/** The standard HubSpot properties our mappings may write; anything else must be a declared custom property. */
public final class HubSpotSchemas {

    private HubSpotSchemas() {}

    public static final TargetSchema CONTACTS = TargetSchema.closed(
            "email", "firstname", "lastname", "phone", "mobilephone", "company", "address", "city", "state", "zip",
            "country", "website", "jobtitle", "lifecyclestage", "hs_language", "hs_lead_status");

    public static final TargetSchema ORDERS = TargetSchema.closed(
            "hs_order_name", "hs_currency_code", "hs_source_store", "hs_fulfillment_status", "hs_shipping_status_url",
            "hs_shipping_tracking_number", "hs_shipping_address_street", "hs_shipping_address_city",
            "hs_shipping_address_state", "hs_shipping_address_postal_code", "hs_shipping_address_country",
            "hs_pipeline", "hs_pipeline_stage", "hs_external_order_id", "hs_total_price", "hs_subtotal_price",
            "hs_shipping_cost", "hs_tax", "hs_order_discount", "hs_discount_codes", "hs_external_order_url",
            "hs_external_order_status", "hs_external_created_date", "hs_billing_address_street",
            "hs_billing_address_city", "hs_billing_address_state", "hs_billing_address_postal_code",
            "hs_billing_address_country", "hs_order_note", "hs_refund_amount");
}
