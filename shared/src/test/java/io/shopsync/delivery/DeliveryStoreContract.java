package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.delivery.DeliveryStore.Claim;
import io.shopsync.delivery.DeliveryStore.DeliveryKey;
import io.shopsync.delivery.DeliveryStore.Applied;
import io.shopsync.delivery.DeliveryStore.Checks;
import io.shopsync.delivery.DeliveryStore.EventKey;
import io.shopsync.delivery.DeliveryStore.Versioned;
import io.shopsync.flow.EntityVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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
    void records_shouldListEveryRecordOfTheEntity_newestFirst_withWhatATraceShows() {
        // given an order with four webhooks: one retried then delivered, one stale, one dead-lettered, one in another order
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID().getMostSignificantBits();
        Versioned newer = new Versioned(entity, new EntityVersion(Instant.parse("2026-11-27T15:00:00Z"), NOW));
        DeliveryKey retried = traced("orders/updated", entity, "hubspot");
        Claim.Claimed first = (Claim.Claimed) store().claim(retried, false, Checks.NONE, NOW);
        store().release(retried, first, true, "hubspot answered 503 (retry-after none)");
        Claim.Claimed second = (Claim.Claimed) store().claim(retried, false, NOW.plusSeconds(30));
        store().complete(retried, second, "delivered", new Applied(Optional.of(newer), Optional.empty(), Optional.empty()),
                NOW.plusSeconds(31));
        DeliveryKey stale = traced("orders/create", entity, "hubspot");
        Claim refused = store().claim(stale, false, new Checks(Optional.empty(),
                Optional.of(new Versioned(entity, new EntityVersion(Instant.parse("2026-11-27T14:00:00Z"), NOW))), false,
                Optional.empty()), NOW.plusSeconds(60));
        DeliveryKey failed = traced("orders/paid", entity, "klaviyo");
        Claim.Claimed doomed = (Claim.Claimed) store().claim(failed, false, NOW.plusSeconds(90));
        store().fail(failed, doomed, "http-400: klaviyo rejected the event", NOW.plusSeconds(91));
        store().claim(traced("orders/create", entity + "1", "hubspot"), false, NOW);

        // when
        var records = store().records(entity, NOW.plusSeconds(120));

        // then
        assertThat(refused).isInstanceOf(Claim.Stale.class);
        assertThat(records).extracting(DeliveryStore.DeliveryRecord::deliveryId)
                .containsExactly(failed.deliveryId(), stale.deliveryId(), retried.deliveryId());
        DeliveryStore.DeliveryRecord dead = records.get(0);
        assertThat(dead.target()).isEqualTo("klaviyo");
        assertThat(dead.state()).isEqualTo("FAILED");
        assertThat(dead.reason()).isEqualTo("http-400: klaviyo rejected the event");
        assertThat(dead.origin()).isEqualTo(failed.origin());
        DeliveryStore.DeliveryRecord skipped = records.get(1);
        assertThat(skipped.outcome()).isEqualTo("stale");
        assertThat(skipped.staleAgainst()).contains(newer.version());
        assertThat(skipped.origin()).isEqualTo(stale.origin());
        assertThat(skipped.topic()).isEqualTo("orders/create");
        DeliveryStore.DeliveryRecord delivered = records.get(2);
        assertThat(delivered.outcome()).isEqualTo("delivered");
        assertThat(delivered.attempts()).isEqualTo(1);
        assertThat(delivered.lastError()).isEqualTo("hubspot answered 503 (retry-after none)");
        assertThat(delivered.finishedAt()).isEqualTo(NOW.plusSeconds(31));
        assertThat(store().records(entity, NOW.plus(RETENTION).plusSeconds(200))).isEmpty();
    }

    @Test
    void webhookEntities_shouldNameTheEntityOfEveryLiveRecordOfTheWebhook_inThatShopOnly() {
        // given one webhook delivered to two targets, and another webhook of the same entity
        String entity = "shopsync-demo.myshopify.com/inventory-level/437290762312585471/" + Math.abs(UUID.randomUUID()
                .getMostSignificantBits());
        String webhookId = UUID.randomUUID().toString();
        for (String target : new String[] {"inventory-webhook", "katana"}) {
            DeliveryKey key = new DeliveryKey("shopsync-demo.myshopify.com:" + webhookId, target,
                    "inventory_levels/update", entity, new DeliveryStore.Origin("stock-to-inventory", webhookId,
                    NOW.minusSeconds(5), NOW.minusSeconds(4), entity));
            Claim.Claimed claimed = (Claim.Claimed) store().claim(key, false, NOW);
            store().complete(key, claimed, "delivered", NOW.plusSeconds(1));
        }
        store().claim(traced("inventory_levels/update", entity, "katana"), false, NOW);

        // when, then: its entity once; nothing for another shop, an unknown webhook, or after the records' retention
        assertThat(store().webhookEntities("shopsync-demo.myshopify.com", webhookId, NOW.plusSeconds(2)))
                .containsExactly(entity);
        assertThat(store().webhookEntities("other-shop.myshopify.com", webhookId, NOW.plusSeconds(2))).isEmpty();
        assertThat(store().webhookEntities("shopsync-demo.myshopify.com", UUID.randomUUID().toString(),
                NOW.plusSeconds(2))).isEmpty();
        assertThat(store().webhookEntities("shopsync-demo.myshopify.com", webhookId,
                NOW.plus(RETENTION).plusSeconds(200))).isEmpty();
    }

    private static DeliveryKey traced(String topic, String entity, String target) {
        String webhookId = UUID.randomUUID().toString();
        return new DeliveryKey("shopsync-demo.myshopify.com:" + webhookId, target, topic, entity,
                new DeliveryStore.Origin("order-to-crm", webhookId, NOW.minusSeconds(5), NOW.minusSeconds(4), entity));
    }

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

        assertThat(first.attempts()).hasValue(0);
        assertThat(second.attempts()).hasValue(1);
        assertThat(third.attempts()).hasValue(1);
        assertThat(fourth.attempts()).hasValue(2);
    }

    @Test
    void claim_shouldStartCountingAgain_whenTheRecordIsPastItsRetention() {
        Claim.Claimed first = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().release(hubspot, first, true);
        Claim.Claimed again = (Claim.Claimed) store().claim(hubspot, false, NOW.plus(RETENTION).plusSeconds(2));
        store().release(hubspot, again, true);

        assertThat(again.attempts()).hasValue(0);
        assertThat(((Claim.Claimed) store().claim(hubspot, false, NOW.plus(RETENTION).plusSeconds(3))).attempts())
                .hasValue(1);
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

    private static final EntityVersion OLDER = new EntityVersion(Instant.parse("2026-11-27T10:15:45Z"),
            Instant.parse("2026-11-27T10:15:47.1Z"));
    private static final EntityVersion NEWER = new EntityVersion(Instant.parse("2026-11-27T14:42:18Z"),
            Instant.parse("2026-11-27T14:42:19Z"));

    private static DeliveryStore.Checks checks(Optional<EventKey> event, Optional<Versioned> entity, boolean sendIfStale,
                                               Optional<Versioned> person) {
        return new DeliveryStore.Checks(event, entity, sendIfStale, person);
    }

    private DeliveryKey otherWebhook(String target) {
        return new DeliveryKey("shopsync-demo.myshopify.com:" + UUID.randomUUID(), target, "orders/create", hubspot.entity());
    }

    @Test
    void claim_shouldRefuseAMerchantActionAnotherWebhookDelivered_andLetTheSameWebhookThrough() {
        EventKey event = new EventKey("shopsync-demo.myshopify.com", "orders/create", UUID.randomUUID().toString(), "hubspot");
        DeliveryStore.Checks guarded = checks(Optional.of(event), Optional.empty(), false, Optional.empty());
        Claim.Claimed claimed = (Claim.Claimed) store().claim(hubspot, false, guarded, NOW);
        store().complete(hubspot, claimed, "delivered", new Applied(Optional.empty(), Optional.empty(), Optional.of(event)), NOW);

        DeliveryKey secondSubscription = otherWebhook("hubspot");
        assertThat(store().claim(secondSubscription, false, guarded, NOW.plusSeconds(60)))
                .isEqualTo(new Claim.EventDelivered(webhook));
        assertThat(store().claim(secondSubscription, false, Checks.NONE, NOW.plusSeconds(60)))
                .as("nothing was written for the refused copy").isInstanceOf(Claim.Claimed.class);
        assertThat(store().claim(hubspot, false, guarded, NOW.plusSeconds(60)))
                .as("the webhook that delivered it is a duplicate by its own record")
                .isEqualTo(new Claim.AlreadyCompleted("delivered"));
    }

    @Test
    void claim_shouldRefuseAVersionNoNewerThanTheWatermark_unlessItsEventsMustGo() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        Claim.Claimed first = (Claim.Claimed) store().claim(hubspot, false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, NEWER)), false, Optional.empty()), NOW);
        assertThat(first.staleState()).isFalse();
        store().complete(hubspot, first, "delivered", new Applied(Optional.of(new Versioned(entity, NEWER)),
                Optional.empty(), Optional.empty()), NOW);

        assertThat(store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), false, Optional.empty()), NOW))
                .isEqualTo(new Claim.Stale(NEWER));
        assertThat(store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, NEWER)), false, Optional.empty()), NOW))
                .as("the same version again").isEqualTo(new Claim.Stale(NEWER));
        Claim events = store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), true, Optional.empty()), NOW);
        assertThat(events).isInstanceOfSatisfying(Claim.Claimed.class, c -> assertThat(c.staleState()).isTrue());
        assertThat(store().claim(otherWebhook("klaviyo"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), false, Optional.empty()), NOW))
                .as("watermarks are per target").isInstanceOf(Claim.Claimed.class);
        assertThat(store().watermark(entity, "hubspot", NOW)).contains(NEWER);
    }

    @Test
    void claim_shouldRefuseAVersionOlderThanOneAlreadyClaimedForSending_evenBeforeItsCompletion() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        Checks newer = checks(Optional.empty(), Optional.of(new Versioned(entity, NEWER)), false, Optional.empty());
        Claim.Claimed sent = (Claim.Claimed) store().claim(hubspot, false, newer, NOW);
        store().release(hubspot, sent, true, "the completion failed: ThrottlingException");

        assertThat(store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), false, Optional.empty()), NOW))
                .as("older than the version sent, though none is applied yet").isEqualTo(new Claim.Stale(NEWER, true));
        assertThat(store().claim(hubspot, false, newer, NOW.plusSeconds(1)))
                .as("the sent version's own retry").isInstanceOf(Claim.Claimed.class);
        EntityVersion sameStateEarlierTrigger = new EntityVersion(NEWER.updatedAt(), NEWER.triggeredAt().minusSeconds(1));
        assertThat(store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, sameStateEarlierTrigger)), false, Optional.empty()),
                NOW)).as("the same updated_at is the same state, not an older one").isInstanceOf(Claim.Claimed.class);
        assertThat(store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), true, Optional.empty()), NOW))
                .as("an older version's events still go, without its state")
                .isInstanceOfSatisfying(Claim.Claimed.class, c -> assertThat(c.staleState()).isTrue());
        assertThat(store().claim(otherWebhook("klaviyo"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), false, Optional.empty()), NOW))
                .as("per target").isInstanceOf(Claim.Claimed.class);
        assertThat(store().watermark(entity, "hubspot", NOW)).as("sent is not applied: readers see no watermark").isEmpty();
    }

    @Test
    void claim_shouldNotRaiseTheSentVersion_whenTheClaimIsRefused() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        Claim.Claimed holder = (Claim.Claimed) store().claim(hubspot, false, Checks.NONE, NOW);
        assertThat(holder.token()).isNotEmpty();

        assertThat(store().claim(hubspot, false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, NEWER)), false, Optional.empty()), NOW))
                .as("another attempt holds the lease").isInstanceOf(Claim.Busy.class);
        assertThat(store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), false, Optional.empty()), NOW))
                .as("the refused claim of the newer version sent nothing").isInstanceOf(Claim.Claimed.class);
    }

    @Test
    void complete_shouldKeepTheSentVersion_whenAnOlderClaimedVersionCompletesAfterANewerWasClaimed() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        EntityVersion middle = new EntityVersion(Instant.parse("2026-11-27T12:00:00Z"), Instant.parse("2026-11-27T12:00:01Z"));
        DeliveryKey older = otherWebhook("hubspot");
        Claim.Claimed olderClaim = (Claim.Claimed) store().claim(older, false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, OLDER)), false, Optional.empty()), NOW);
        Claim.Claimed newerClaim = (Claim.Claimed) store().claim(hubspot, false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, NEWER)), false, Optional.empty()), NOW);
        assertThat(newerClaim.token()).isNotEmpty();

        store().complete(older, olderClaim, "delivered", new Applied(Optional.of(new Versioned(entity, OLDER)),
                Optional.empty(), Optional.empty()), NOW);

        assertThat(store().watermark(entity, "hubspot", NOW)).contains(OLDER);
        assertThat(store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.of(new Versioned(entity, middle)), false, Optional.empty()), NOW))
                .as("the newer version sent meanwhile still counts").isEqualTo(new Claim.Stale(NEWER, true));
    }

    @Test
    void claim_shouldSayThePersonIsStale_withoutRefusing() {
        String person = "shopsync-demo.myshopify.com/customer/" + UUID.randomUUID();
        EntityVersion sameUpdateLaterTrigger = new EntityVersion(OLDER.updatedAt(), OLDER.triggeredAt().plusSeconds(5));
        assertThat(store().advanceWatermark(person, "hubspot", NEWER, NOW)).isTrue();

        Claim behind = store().claim(hubspot, false,
                checks(Optional.empty(), Optional.empty(), false, Optional.of(new Versioned(person, OLDER))), NOW);
        assertThat(behind).isInstanceOfSatisfying(Claim.Claimed.class, c -> assertThat(c.stalePerson()).isTrue());

        String current = "shopsync-demo.myshopify.com/customer/" + UUID.randomUUID();
        assertThat(store().advanceWatermark(current, "hubspot", sameUpdateLaterTrigger, NOW)).isTrue();
        Claim same = store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.empty(), false, Optional.of(new Versioned(current, OLDER))), NOW);
        assertThat(same).as("the same updated_at is not stale").isInstanceOfSatisfying(Claim.Claimed.class,
                c -> assertThat(c.stalePerson()).isFalse());
    }

    @Test
    void claim_shouldSayThePersonIsStale_whenANewerCopyOfItWasSentButNotRecorded() {
        String person = "shopsync-demo.myshopify.com/customer/" + UUID.randomUUID();
        Claim.Claimed sent = (Claim.Claimed) store().claim(hubspot, false,
                checks(Optional.empty(), Optional.empty(), false, Optional.of(new Versioned(person, NEWER))), NOW);
        assertThat(sent.stalePerson()).isFalse();
        store().release(hubspot, sent, true, "the completion failed: ThrottlingException");

        Claim older = store().claim(otherWebhook("hubspot"), false,
                checks(Optional.empty(), Optional.empty(), false, Optional.of(new Versioned(person, OLDER))), NOW);
        Claim again = store().claim(hubspot, false,
                checks(Optional.empty(), Optional.empty(), false, Optional.of(new Versioned(person, NEWER))), NOW);

        assertThat(older).as("an order carrying an older copy of the customer").isInstanceOfSatisfying(Claim.Claimed.class,
                c -> assertThat(c.stalePerson()).isTrue());
        assertThat(again).as("the sent copy's retry").isInstanceOfSatisfying(Claim.Claimed.class,
                c -> assertThat(c.stalePerson()).isFalse());
        assertThat(store().watermark(person, "hubspot", NOW)).isEmpty();
    }

    @Test
    void complete_shouldAdvanceTheWatermarksWithTheRecord_butNeverMoveOneBack() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        String person = "shopsync-demo.myshopify.com/customer/" + UUID.randomUUID();
        assertThat(store().advanceWatermark(person, "hubspot", NEWER, NOW)).isTrue();
        Claim.Claimed claimed = (Claim.Claimed) store().claim(hubspot, false, Checks.NONE, NOW);

        store().complete(hubspot, claimed, "delivered", new Applied(Optional.of(new Versioned(entity, OLDER)),
                Optional.of(new Versioned(person, OLDER)), Optional.empty()), NOW);

        assertThat(store().watermark(entity, "hubspot", NOW)).contains(OLDER);
        assertThat(store().watermark(person, "hubspot", NOW)).as("a newer person stays").contains(NEWER);
        assertThat(store().claim(hubspot, false, NOW)).isEqualTo(new Claim.AlreadyCompleted("delivered"));
    }

    @Test
    void complete_shouldWriteNothing_whenTheLeaseWasLost() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        Claim.Claimed crashed = (Claim.Claimed) store().claim(hubspot, false, NOW);
        store().claim(hubspot, false, NOW.plus(LEASE).plusSeconds(1));

        assertThatThrownBy(() -> store().complete(hubspot, crashed, "delivered", new Applied(
                Optional.of(new Versioned(entity, NEWER)), Optional.empty(), Optional.empty()), NOW.plus(LEASE).plusSeconds(2)))
                .isInstanceOf(DeliveryStore.LeaseLostException.class);
        assertThat(store().watermark(entity, "hubspot", NOW)).isEmpty();
    }

    @Test
    void attempts_shouldCountTheCallsOfEarlierAttempts_throughAClaimThatChecks() {
        String entity = "shopsync-demo.myshopify.com/order/" + UUID.randomUUID();
        DeliveryStore.Checks watermarked = checks(Optional.empty(), Optional.of(new Versioned(entity, NEWER)), false,
                Optional.empty());
        Claim.Claimed first = (Claim.Claimed) store().claim(hubspot, false, watermarked, NOW);
        store().release(hubspot, first, true);
        Claim.Claimed second = (Claim.Claimed) store().claim(hubspot, false, watermarked, NOW.plusSeconds(10));
        store().release(hubspot, second, false);
        Claim.Claimed third = (Claim.Claimed) store().claim(hubspot, false, watermarked, NOW.plusSeconds(20));
        assertThat(store().attempts(hubspot, third)).isEqualTo(1);
        store().release(hubspot, third, true);
        Claim.Claimed afterRetention = (Claim.Claimed) store().claim(hubspot, false, watermarked,
                NOW.plus(RETENTION).plusSeconds(30));

        assertThat(store().attempts(hubspot, afterRetention)).as("a record past its retention starts over").isZero();
    }
}
