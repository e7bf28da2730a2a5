package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowEnvironmentTest {

    private static Map<String, String> complete() {
        Map<String, String> env = new HashMap<>();
        env.put("WORK_QUEUE_URL", "http://127.0.0.1:1/000000000000/shopsync-order-to-crm.fifo");
        env.put("DEAD_LETTER_QUEUE_URL", "http://127.0.0.1:1/000000000000/shopsync-order-to-crm-dlq.fifo");
        env.put("CLAIM_CHECK_BUCKET", "shopsync-claims");
        env.put("SHOPIFY_WEBHOOK_SECRET", "local-secret");
        env.put("IDEMPOTENCY_TABLE", "shopsync-idempotency");
        env.put("ALERTS_TOPIC_ARN", "arn:aws:sns:us-east-1:000000000000:shopsync-alerts");
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    private static FlowEnvironment from(Map<String, String> env) {
        return FlowEnvironment.fromVariables(env, AwsServices.fromEnvironment(env));
    }

    @Test
    void fromVariables_shouldNameTheMissingVariable() {
        Map<String, String> env = complete();
        env.remove("IDEMPOTENCY_TABLE");

        assertThatThrownBy(() -> from(env)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("environment variable IDEMPOTENCY_TABLE is not set");
    }

    @Test
    void fromVariables_shouldAskForTheSecretId_whenNoSecretIsConfigured() {
        Map<String, String> env = complete();
        env.remove("SHOPIFY_WEBHOOK_SECRET");

        assertThatThrownBy(() -> from(env)).hasMessageContaining("set SHOPIFY_WEBHOOK_SECRET_ID");
    }

    @Test
    void fromVariables_shouldRefuseARetentionShorterThanShopifysLateDeliveries() {
        Map<String, String> env = complete();
        env.put("RECORD_RETENTION_HOURS", "24");

        assertThatThrownBy(() -> from(env)).hasMessageContaining("RECORD_RETENTION_HOURS=24 is too short");
    }

    @Test
    void fromVariables_shouldRefuseANumberThatIsNotOne() {
        Map<String, String> env = complete();
        env.put("MAX_RECEIVE_COUNT", "eight");

        assertThatThrownBy(() -> from(env)).hasMessageContaining("MAX_RECEIVE_COUNT must be a whole number, got eight");
    }

    @Test
    void fromVariables_shouldRefuseMoreAttemptsThanTheQueueAllowsReceives() {
        Map<String, String> env = complete();
        env.put("MAX_ATTEMPTS", "12");
        env.put("MAX_RECEIVE_COUNT", "10");

        assertThatThrownBy(() -> from(env)).hasMessageContaining("MAX_RECEIVE_COUNT (10, the queue's redrive limit) must be"
                + " at least MAX_ATTEMPTS (12)");
    }

    /** A typo in the allow-list would otherwise 401 every webhook of the shop, or let an unintended host in. */
    @Test
    void fromVariables_shouldRefuseAnAllowListEntryThatIsNotABareShopDomain() {
        Map<String, String> env = complete();
        env.put("SHOPIFY_ALLOWED_SHOPS", "my-store.myshopify.com, https://my-store.myshopify.com/admin");

        assertThatThrownBy(() -> from(env)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SHOPIFY_ALLOWED_SHOPS holds \"https://my-store.myshopify.com/admin\"")
                .hasMessageContaining("<name>.myshopify.com");
    }

    @Test
    void fromVariables_shouldServeTheAllowListedShops_lowerCased() {
        Map<String, String> env = complete();
        env.put("SHOPIFY_ALLOWED_SHOPS", "My-Store.myshopify.com,other-store.myshopify.com");

        org.assertj.core.api.Assertions.assertThat(from(env).allowedShops())
                .containsExactlyInAnyOrder("my-store.myshopify.com", "other-store.myshopify.com");
    }
}
