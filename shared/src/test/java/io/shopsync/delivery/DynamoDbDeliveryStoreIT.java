package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.delivery.DeliveryStore.Checks;
import io.shopsync.delivery.DeliveryStore.Claim;
import io.shopsync.delivery.DeliveryStore.DeliveryKey;
import io.shopsync.delivery.DeliveryStore.Versioned;
import io.shopsync.flow.EntityVersion;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(AwsBackend.class)
class DynamoDbDeliveryStoreIT extends DeliveryStoreContract {

    private static final Duration WATERMARK_RETENTION = Duration.ofDays(35);

    private final DynamoDbDeliveryStore store;

    DynamoDbDeliveryStoreIT(AwsClients aws) {
        this.store = new DynamoDbDeliveryStore(aws.dynamo(), aws.createTable("shopsync-store-it"), LEASE, RETENTION,
                WATERMARK_RETENTION);
    }

    @Override
    DeliveryStore store() {
        return store;
    }

    /** DynamoDB deletes expired items days late: a watermark past its retention counts as absent, and a claim renews it. */
    @Test
    void claim_shouldTreatAWatermarkPastItsRetentionAsAbsent_andEachClaimRenewsTheSentVersion() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        EntityVersion oldest = new EntityVersion(Instant.parse("2026-11-20T08:00:00Z"), Instant.parse("2026-11-20T08:00:01Z"));
        EntityVersion older = new EntityVersion(Instant.parse("2026-11-25T08:00:00Z"), Instant.parse("2026-11-25T08:00:01Z"));
        EntityVersion newer = new EntityVersion(Instant.parse("2026-11-27T14:42:18Z"), Instant.parse("2026-11-27T14:42:19Z"));
        assertThat(store.advanceWatermark(entity, "hubspot", newer, NOW)).isTrue();
        Instant past = NOW.plus(WATERMARK_RETENTION).plusSeconds(60);

        Claim afterRetention = store.claim(webhook(), false, watermarked(entity, older), past);
        assertThat(afterRetention).as("the expired watermark is absent").isInstanceOf(Claim.Claimed.class);
        assertThat(store.watermark(entity, "hubspot", past)).as("its applied version went with it").isEmpty();
        assertThat(store.claim(webhook(), false, watermarked(entity, oldest), past))
                .as("the version just sent holds").isEqualTo(new Claim.Stale(older, true));

        String person = "shopsync-demo.myshopify.com/customer/" + UUID.randomUUID();
        assertThat(store.advanceWatermark(person, "hubspot", newer, NOW)).isTrue();
        assertThat(store.claim(webhook(), false, new Checks(Optional.empty(), Optional.empty(), false,
                Optional.of(new Versioned(person, older))), past)).as("an expired person watermark is absent too")
                .isInstanceOfSatisfying(Claim.Claimed.class, c -> assertThat(c.stalePerson()).isFalse());

        Instant nearlyTwoRetentions = past.plus(WATERMARK_RETENTION).minusSeconds(3600);
        assertThat(store.claim(webhook(), false, watermarked(entity, oldest), nearlyTwoRetentions))
                .as("the claim renewed the watermark's retention").isEqualTo(new Claim.Stale(older, true));
    }

    private static DeliveryKey webhook() {
        return new DeliveryKey("shopsync-demo.myshopify.com:" + UUID.randomUUID(), "hubspot", "orders/updated", null);
    }

    private static Checks watermarked(String entity, EntityVersion version) {
        return new Checks(Optional.empty(), Optional.of(new Versioned(entity, version)), false, Optional.empty());
    }
}
