package io.shopsync.local;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A flow's function environment in the local stack: the template's settings with their parameter
 * defaults (so local runs the connectors a default deploy runs), credentials that a deployed function
 * reads from Secrets Manager replaced by dry-run placeholders (nothing is sent in a dry run), and this
 * process's environment on top, so {@code CRM_TARGETS=klaviyo scripts/local} changes what runs.
 */
final class LocalSettings {

    /** The placeholder a dry-run connector authenticates with: the outbox masks it anyway. */
    static final String DRY_RUN_CREDENTIAL = "dry-run-credential";
    /** A Standard Webhooks secret (whsec_ + base64 of 32 bytes) for the dry-run inventory webhook. */
    static final String DRY_RUN_WEBHOOK_SECRET = "whsec_c2hvcHN5bmMtbG9jYWwtZHJ5LXJ1bi1zZWNyZXQhISE=";

    /**
     * What the local stack runs when neither the template's defaults nor the environment choose: the
     * inventory flow reports to a generic webhook in dry run, for the samples' location, and serves the
     * samples' shop (the Admin API token of a single-shop deployment goes to the allow-listed shop only).
     * A deployed stack has no inventory target until its parameters name one.
     */
    static final Map<String, String> LOCAL_DEFAULTS = Map.of(
            "SHOPIFY_ALLOWED_SHOPS", "shopsync-demo.myshopify.com",
            "INVENTORY_TARGET", "webhook",
            "INVENTORY_WEBHOOK_URL", "https://inventory.dry-run.invalid/shopsync/stock-levels",
            "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\"}");

    /** Secret ids whose inline variable is not the id's name without {@code _SECRET_ID}. */
    private static final Map<String, String> INLINE_NAMES = Map.of("INVENTORY_WEBHOOK_SECRET_ID", "INVENTORY_WEBHOOK_SECRET");

    private LocalSettings() {}

    static Map<String, String> forFunction(Map<String, String> template, Map<String, String> process) {
        return forFunction(template, process, false);
    }

    /**
     * @param live connectors send for real: secret ids are dropped without placeholders (the environment
     *     must give the inline credentials, HUBSPOT_TOKEN and the like) and no dry-run default is added
     */
    static Map<String, String> forFunction(Map<String, String> template, Map<String, String> process, boolean live) {
        Map<String, String> settings = new LinkedHashMap<>();
        template.forEach((name, value) -> {
            if (name.equals("SHOPIFY_WEBHOOK_SECRET_ID")) {
                return; // the local stack's signing secret is the dev secret or SHOPIFY_WEBHOOK_SECRET
            }
            if (name.endsWith("_SECRET_ID") && live) {
                return; // there is no Secrets Manager here: the inline credential comes from the environment
            }
            if (name.endsWith("_SECRET_ID")) {
                // HUBSPOT_TOKEN_SECRET_ID -> HUBSPOT_TOKEN: the inline form every connector accepts locally.
                String inline = INLINE_NAMES.getOrDefault(name, name.substring(0, name.length() - "_SECRET_ID".length()));
                settings.put(inline, inline.endsWith("WEBHOOK_SECRET") ? DRY_RUN_WEBHOOK_SECRET : DRY_RUN_CREDENTIAL);
                return;
            }
            settings.put(name, value);
        });
        if (!live) {
            LOCAL_DEFAULTS.forEach((name, value) -> {
                if (settings.get(name) == null || settings.get(name).isBlank()) {
                    settings.put(name, value);
                }
            });
        }
        settings.putAll(process);
        // A secret id from the process would send the connector to Secrets Manager: the inline value wins.
        process.keySet().stream().filter(name -> name.endsWith("_SECRET_ID")).forEach(settings::remove);
        return settings;
    }
}
