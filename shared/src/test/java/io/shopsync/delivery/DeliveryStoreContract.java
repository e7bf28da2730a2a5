package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.delivery.DeliveryStore.Claim;
import io.shopsync.delivery.DeliveryStore.DeliveryKey;
import io.shopsync.delivery.DeliveryStore.EventKey;
import io.shopsync.flow.EntityVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every delivery store must do; run against DynamoDB (IT) and the in-memory store (unit). */
abstract class DeliveryStoreContract {

    static final Duration LEASE = Duration.ofSeconds(90);
    static final Duration RETENTION = Duration.ofHours(72);
    static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");

    abstract DeliveryStore store();

    private final String webhook = "shopsync-demo.myshopify.com:" + UUID.randomUUID();
    private final DeliveryKey hubspot = new DeliveryKey(webhook, "hubspot", "orders/create",
            "shopsync-demo.myshopify.com/order/820982911946154508");

    @Test
    void claim_shouldBeExclusive_untilTheLeaseExpires() {
        Claim first = store().claim(hubspot, false, NOW);
        Claim second = store().claim(hubspot, false, NOW.plusSeconds(10));
        Claim afterLease = store().claim(hubspot, false, NOW.plus(LEASE).plusSeconds(1));

        assertThat(first).isInstanceOf(Claim.Claimed.class);
        assertThat(second).isInstanceOf(Claim.Busy.class);
        assertThat(((Claim.Busy) second).leaseUntil()).isEqualTo(NOW.plus(LEASE));
        assertThat(afterLease).isInstanceOf(Claim.Claimed.class);
        assertThat(((Claim.Claimed) afterLease).token()).isNotEqualTo(((Claim.Claimed) first).token());
    }

    @Test
    void complete_shouldMakeEveryLaterClaimADuplicate_perTarget() {
        Claim.Claimed claimed = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().complete(hubspot, claimed, "delivered", NOW);

        assertThat(store().claim(hubspot, false, NOW.plus(Duration.ofHours(47))))
                .isEqualTo(new Claim.AlreadyCompleted("delivered"));
        assertThat(store().claim(new DeliveryKey(webhook, "klaviyo", "orders/create", null), false, NOW))
                .isInstanceOf(Claim.Claimed.class);
    }

    @Test
    void claim_shouldTreatARecordPastItsRetentionAsAbsent_evenIfNotYetDeleted() {
        Claim.Claimed claimed = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().complete(hubspot, claimed, "delivered", NOW);

        assertThat(store().claim(hubspot, false, NOW.plus(RETENTION).plusSeconds(2))).isInstanceOf(Claim.Claimed.class);
    }

    @Test
    void release_shouldLetTheNextAttemptClaimAtOnce() {
        Claim.Claimed claimed = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().release(hubspot, claimed, true);

        assertThat(store().claim(hubspot, false, NOW.plusSeconds(1))).isInstanceOf(Claim.Claimed.class);
    }

    @Test
    void claim_shouldCountOnlyTheAttemptsThatCalledTheTarget() {
        Claim.Claimed first = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().release(hubspot, first, true);
        Claim.Claimed second = (Claim.Claimed) store().claim(hubspot, false, NOW.plusSeconds(10));
        store().release(hubspot, second, false); // held back or deferred: the target was not called
        Claim.Claimed third = (Claim.Claimed) store().claim(hubspot, false, NOW.plusSeconds(20));
        store().release(hubspot, third, true);
        Claim.Claimed fourth = (Claim.Claimed) store().claim(hubspot, false, NOW.plusSeconds(30));

        assertThat(first.attempts()).isZero();
        assertThat(second.attempts()).isEqualTo(1);
        assertThat(third.attempts()).isEqualTo(1);
        assertThat(fourth.attempts()).isEqualTo(2);
    }

    @Test
    void claim_shouldStartCountingAgain_whenTheRecordIsPastItsRetention() {
        Claim.Claimed first = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().release(hubspot, first, true);
        Claim.Claimed again = (Claim.Claimed) store().claim(hubspot, false, NOW.plus(RETENTION).plusSeconds(2));
        store().release(hubspot, again, true);

        assertThat(again.attempts()).isZero();
        assertThat(((Claim.Claimed) store().claim(hubspot, false, NOW.plus(RETENTION).plusSeconds(3))).attempts())
                .isEqualTo(1);
    }

    @Test
    void fail_shouldBlockClaims_exceptARedriveOfThatDeadLetter() {
        Claim.Claimed claimed = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().fail(hubspot, claimed, "HubSpot answered 400", NOW);

        assertThat(store().claim(hubspot, false, NOW.plusSeconds(1)))
                .isEqualTo(new Claim.AlreadyFailed("HubSpot answered 400"));
        assertThat(store().claim(hubspot, true, NOW.plusSeconds(1))).isInstanceOf(Claim.Claimed.class);
    }

    @Test
    void complete_shouldRefuse_whenAnotherAttemptTookTheRecordOver() {
        Claim.Claimed crashed = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().claim(hubspot, false, NOW.plus(LEASE).plusSeconds(1));

        assertThatThrownBy(() -> store().complete(hubspot, crashed, "delivered", NOW.plus(LEASE).plusSeconds(2)))
                .isInstanceOf(DeliveryStore.LeaseLostException.class)
                .hasMessageContaining("taken over by another attempt");
        assertThatThrownBy(() -> store().fail(hubspot, crashed, "HubSpot answered 400", NOW.plus(LEASE).plusSeconds(2)))
                .isInstanceOf(DeliveryStore.LeaseLostException.class);
    }

    @Test
    void watermark_shouldOnlyMoveForward() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        EntityVersion older = new EntityVersion(Instant.parse("2026-11-27T10:15:45Z"), Instant.parse("2026-11-27T10:15:47.1Z"));
        EntityVersion newer = new EntityVersion(Instant.parse("2026-11-27T14:42:18Z"), Instant.parse("2026-11-27T14:42:19Z"));

        assertThat(store().watermark(entity, "hubspot", NOW)).isEmpty();
        assertThat(store().advanceWatermark(entity, "hubspot", newer, NOW)).isTrue();
        assertThat(store().advanceWatermark(entity, "hubspot", older, NOW)).isFalse();
        assertThat(store().advanceWatermark(entity, "hubspot", newer, NOW)).isFalse();

        assertThat(store().watermark(entity, "hubspot", NOW)).contains(newer);
        assertThat(store().watermark(entity, "klaviyo", NOW)).isEmpty();
    }

    @Test
    void events_shouldRememberWhichDeliveryCarriedAMerchantAction() {
        EventKey event = new EventKey("shopsync-demo.myshopify.com", "orders/create", UUID.randomUUID().toString(), "hubspot");

        assertThat(store().deliveredEvent(event, NOW)).isEmpty();
        store().recordEvent(event, webhook, NOW);

        assertThat(store().deliveredEvent(event, NOW.plusSeconds(60))).contains(webhook);
    }
}
