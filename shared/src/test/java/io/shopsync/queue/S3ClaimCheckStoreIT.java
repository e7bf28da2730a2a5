package io.shopsync.queue;

import io.shopsync.testing.MotoS3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Claim checks live under their flow's prefix, {@code <flow>/}: each function's role may read and write
 * only there (template.yaml, TemplateRulesTest.claimCheckPrefixes), so a key outside it would be refused.
 */
@ExtendWith(AwsBackend.class)
class S3ClaimCheckStoreIT {

    private final AwsClients aws;
    private final String bucket;

    S3ClaimCheckStoreIT(AwsClients aws) {
        this.aws = aws;
        this.bucket = aws.createBucket("shopsync-claims-prefix-it");
    }

    private static Envelope envelope(String flow, String shop, String webhookId) {
        return new Envelope(flow, "orders/create", shop, webhookId, "7f0ae9c1-e5d4-4ae4-b3b8-0e3a0d4f3f83",
                Instant.parse("2026-11-27T10:15:47.234647458Z"), "2026-10", Instant.parse("2026-11-27T10:15:48Z"),
                null, new Body.Inline(new byte[0]));
    }

    @Test
    void store_keysEachFlowsBodies_underThatFlowsPrefix() {
        byte[] body = Fixtures.bytes("events/payloads/orders-create.json");
        S3ClaimCheckStore store = new S3ClaimCheckStore(MotoS3.of(aws), bucket);

        for (String flow : List.of("order-to-crm", "stock-to-inventory", "fulfilment-to-crm")) {
            Body.ClaimCheck check = store.store(envelope(flow, "shopsync-demo.myshopify.com",
                    "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"), body);

            assertThat(check.key()).isEqualTo(flow + "/2026/11/27/shopsync-demo.myshopify.com/"
                    + "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043.json");
            assertThat(keysUnder(flow + "/")).containsExactly(check.key());
            assertThat(store.fetch(check)).isEqualTo(body);
        }
    }

    @Test
    void store_keepsAShopHeaderWithPathSegments_asOneSegmentUnderTheFlowsPrefix() {
        // The shop header is not signed: it must not move a body out of its flow's prefix, or into another's.
        byte[] body = Fixtures.bytes("events/payloads/orders-create.json");
        S3ClaimCheckStore store = new S3ClaimCheckStore(MotoS3.of(aws), bucket);

        Body.ClaimCheck check = store.store(envelope("order-to-crm",
                "x.myshopify.com/../../../../../stock-to-inventory", "../../fulfilment-to-crm/x"), body);

        assertThat(check.key()).startsWith("order-to-crm/2026/11/27/").doesNotContain("/../").doesNotContain("/./");
        assertThat(check.key().split("/")).hasSize(6);
        assertThat(keysUnder("order-to-crm/")).containsExactly(check.key());
        assertThat(keysUnder("stock-to-inventory/")).isEmpty();
        assertThat(keysUnder("fulfilment-to-crm/")).isEmpty();
        assertThat(store.fetch(check)).isEqualTo(body);

        Body.ClaimCheck dots = store.store(envelope("order-to-crm", "..", ".."), body);
        assertThat(dots.key()).startsWith("order-to-crm/2026/11/27/").doesNotContain("/../");
        assertThat(dots.key().split("/")).hasSize(6);
    }

    @Test
    void fetch_ofABodyGoneFromTheBucket_failsAsS3sNoSuchKey_soDeliveryRetriesAndThenDeadLetters() {
        byte[] body = Fixtures.bytes("events/payloads/orders-create.json");
        S3ClaimCheckStore store = new S3ClaimCheckStore(MotoS3.of(aws), bucket);
        Body.ClaimCheck check = store.store(envelope("order-to-crm", "shopsync-demo.myshopify.com", "gone-1"), body);
        aws.s3().deleteObject(r -> r.bucket(bucket).key(check.key()));

        assertThatThrownBy(() -> store.fetch(check))
                .isInstanceOfSatisfying(S3Failure.class, e -> assertThat(e.noSuchKey()).isTrue())
                .isInstanceOf(software.amazon.awssdk.core.exception.SdkException.class)
                .hasMessageContaining(check.key()).hasMessageContaining("NoSuchKey");
    }

    private List<String> keysUnder(String prefix) {
        return aws.s3().listObjectsV2(r -> r.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }
}
