package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalSettingsTest {

    @Test
    void forFunction_shouldReplaceSecretIdsWithDryRunCredentials_underTheirInlineNames() {
        Map<String, String> settings = LocalSettings.forFunction(Map.of(
                "CRM_TARGETS", "hubspot",
                "HUBSPOT_TOKEN_SECRET_ID", "shopsync/hubspot-token",
                "INVENTORY_WEBHOOK_SECRET_ID", "shopsync/inventory-webhook-secret",
                "SHOPIFY_WEBHOOK_SECRET_ID", "shopsync/shopify-webhook-secret"), Map.of());

        assertThat(settings).containsEntry("CRM_TARGETS", "hubspot")
                .containsEntry("HUBSPOT_TOKEN", LocalSettings.DRY_RUN_CREDENTIAL)
                .containsEntry("INVENTORY_WEBHOOK_SECRET", LocalSettings.DRY_RUN_WEBHOOK_SECRET)
                .doesNotContainKeys("HUBSPOT_TOKEN_SECRET_ID", "INVENTORY_WEBHOOK_SECRET_ID", "SHOPIFY_WEBHOOK_SECRET_ID",
                        "SHOPIFY_WEBHOOK_SECRET");
    }

    @Test
    void forFunction_shouldFillLocalDefaults_andLetTheProcessEnvironmentWin() {
        Map<String, String> settings = LocalSettings.forFunction(Map.of("INVENTORY_TARGET", "", "CRM_TARGETS", "hubspot"),
                Map.of("CRM_TARGETS", "klaviyo", "KLAVIYO_API_KEY_SECRET_ID", "real/secret"));

        assertThat(settings).containsEntry("INVENTORY_TARGET", "webhook").containsEntry("CRM_TARGETS", "klaviyo")
                .containsKey("LOCATION_MAPPING").doesNotContainKey("KLAVIYO_API_KEY_SECRET_ID");
    }

    @Test
    void forFunction_live_shouldDropSecretIdsWithoutPlaceholders_andAddNoDryRunDefaults() {
        Map<String, String> settings = LocalSettings.forFunction(
                Map.of("HUBSPOT_TOKEN_SECRET_ID", "shopsync/hubspot-token", "INVENTORY_TARGET", ""),
                Map.of("HUBSPOT_TOKEN", "pat-from-the-environment"), true);

        assertThat(settings).containsEntry("HUBSPOT_TOKEN", "pat-from-the-environment")
                .containsEntry("INVENTORY_TARGET", "")
                .doesNotContainKeys("HUBSPOT_TOKEN_SECRET_ID", "LOCATION_MAPPING", "INVENTORY_WEBHOOK_URL");
    }
}
