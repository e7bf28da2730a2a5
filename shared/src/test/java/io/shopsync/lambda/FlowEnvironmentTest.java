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

    /**
     * The order flow builds three HubSpot connectors (orders, consent, privacy): one limit serves them all, and
     * while the table cannot be reached each instance keeps to its share of the account's limit.
     */
    @Test
    void requestLimit_shouldBeOnePerAccount_andFallBackToThisInstancesShare_whenTheTableIsUnreachable() {
        Map<String, String> env = complete();
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:1"); // refuses connections, as an unreachable table does
        env.put("HUBSPOT_CALLER_CONCURRENCY", "2,3");
        FlowEnvironment environment = from(env);

        int instances = environment.settingTotal("HUBSPOT_CALLER_CONCURRENCY", 4);
        io.shopsync.connectors.RequestPermits limit = environment.requestLimit("hubspot#shopsync/hubspot-token", 100,
                java.time.Duration.ofSeconds(10), instances);
        int granted = 0;
        while (granted < 100 && limit.acquire(java.time.Duration.ZERO).isEmpty()) {
            granted++;
        }

        org.assertj.core.api.Assertions.assertThat(instances).isEqualTo(5);
        org.assertj.core.api.Assertions.assertThat(environment.requestLimit("hubspot#shopsync/hubspot-token", 100,
                java.time.Duration.ofSeconds(10), instances)).isSameAs(limit);
        org.assertj.core.api.Assertions.assertThat(environment.requestLimit("hubspot#another-token", 100,
                java.time.Duration.ofSeconds(10), instances)).isNotSameAs(limit);
        org.assertj.core.api.Assertions.assertThat(granted).isEqualTo(20); // 100 / (2 + 3)
    }

    @Test
    void settingTotal_shouldRefuseAListThatIsNotWholeNumbers() {
        Map<String, String> env = complete();
        env.put("HUBSPOT_CALLER_CONCURRENCY", "2;2");

        assertThatThrownBy(() -> from(env).settingTotal("HUBSPOT_CALLER_CONCURRENCY", 4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HUBSPOT_CALLER_CONCURRENCY must list whole numbers");
    }
}
