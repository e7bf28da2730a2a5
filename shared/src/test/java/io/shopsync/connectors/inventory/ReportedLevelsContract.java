package io.shopsync.connectors.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.connectors.inventory.ReportedLevels.Key;
import io.shopsync.connectors.inventory.ReportedLevels.Reported;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every reported-levels store must do; run against DynamoDB (IT) and the in-memory store (unit). */
abstract class ReportedLevelsContract {

    static final Duration RETENTION = Duration.ofDays(365);
    static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final Instant EARLIER = Instant.parse("2026-11-27T15:59:58Z");
    private static final Instant LATER = Instant.parse("2026-11-27T15:59:59.250Z");

    abstract ReportedLevels store();

    private final String sku = "SHIRT-LIN-M-" + UUID.randomUUID();
    private final Key key = new Key("katana", "shopsync-demo.myshopify.com", sku, "12");

    private static Reported level(int available, Instant updatedAt) {
        return new Reported(available, updatedAt, "shopsync-demo.myshopify.com:" + UUID.randomUUID());
    }

    @Test
    void last_shouldBeEmpty_whenNothingWasRemembered() {
        assertThat(store().last(key, NOW)).isEmpty();
    }

    @Test
    void remember_shouldKeepTheLevelItsTimeAndDelivery() {
        Reported given = level(42, EARLIER);

        assertThat(store().remember(key, given, NOW)).isTrue();

        assertThat(store().last(key, NOW.plusSeconds(60))).contains(given);
    }

    @Test
    void remember_shouldOnlyMoveForwardInShopifysTime() {
        Reported newer = level(40, LATER);
        Reported older = level(45, EARLIER);
        store().remember(key, newer, NOW);

        boolean olderRemembered = store().remember(key, older, NOW);

        assertThat(olderRemembered).isFalse();
        assertThat(store().last(key, NOW)).contains(newer);
    }

    @Test
    void remember_shouldReplaceALevelOfTheSameInstant_becauseTheRuntimeOrderedThem() {
        Reported first = level(40, EARLIER);
        Reported sameSecondLater = level(39, EARLIER);
        store().remember(key, first, NOW);

        assertThat(store().remember(key, sameSecondLater, NOW)).isTrue();

        assertThat(store().last(key, NOW)).contains(sameSecondLater);
    }

    @Test
    void remember_shouldKeepEachSystemShopSkuAndLocationApart() {
        store().remember(key, level(42, EARLIER), NOW);

        assertThat(store().last(new Key("katana", "shopsync-demo.myshopify.com", sku, "13"), NOW)).isEmpty();
        assertThat(store().last(new Key("katana", "other-shop.myshopify.com", sku, "12"), NOW)).isEmpty();
        assertThat(store().last(new Key("cin7", "shopsync-demo.myshopify.com", sku, "12"), NOW)).isEmpty();
        assertThat(store().last(new Key("katana", "shopsync-demo.myshopify.com", sku + "-X", "12"), NOW)).isEmpty();
    }

    @Test
    void last_shouldForgetALevelPastItsRetention_evenIfNotYetDeleted_andLetAnOlderOneInAgain() {
        store().remember(key, level(42, LATER), NOW);
        Instant afterRetention = NOW.plus(RETENTION).plusSeconds(2);
        Reported older = level(7, EARLIER);

        assertThat(store().last(key, afterRetention)).isEmpty();
        assertThat(store().remember(key, older, afterRetention)).isTrue();
        assertThat(store().last(key, afterRetention)).contains(older);
    }

    @Test
    void replace_shouldRefuseTheSecondOfTwoWritesMadeFromTheSameRead() {
        // given: two deliveries for one SKU and location read the same state
        store().remember(key, level(45, EARLIER), NOW);
        ReportedLevels.State first = store().read(key, NOW);
        ReportedLevels.State second = store().read(key, NOW);
        Reported fromFirst = level(42, LATER);

        // when
        Optional<ReportedLevels.State> written = store().replace(key, first, Optional.of(fromFirst), Optional.empty(), NOW);
        Optional<ReportedLevels.State> lost = store().replace(key, second, Optional.of(level(40, LATER)),
                Optional.empty(), NOW);

        // then
        assertThat(written).isPresent();
        assertThat(written.get().revision()).isGreaterThan(first.revision());
        assertThat(lost).isEmpty();
        assertThat(store().last(key, NOW)).contains(fromFirst);
    }

    @Test
    void replace_shouldRefuseTheSecondFirstWrite_whenNothingWasStored() {
        ReportedLevels.State nothing = store().read(key, NOW);

        assertThat(store().replace(key, nothing, Optional.of(level(42, EARLIER)), Optional.empty(), NOW)).isPresent();
        assertThat(store().replace(key, nothing, Optional.of(level(40, EARLIER)), Optional.empty(), NOW)).isEmpty();
    }

    @Test
    void replace_shouldKeepAPendingAdjustmentBesideTheLevel_untilItIsCleared() {
        // given
        Reported before = level(45, EARLIER);
        Reported claimed = level(42, LATER);
        ReportedLevels.Pending pending = new ReportedLevels.Pending("SHOPSYNC-0123456789abcdef", claimed,
                NOW.plusSeconds(120));
        store().remember(key, before, NOW);

        // when
        ReportedLevels.State withClaim = store().replace(key, store().read(key, NOW), Optional.of(before),
                Optional.of(pending), NOW).orElseThrow();

        // then
        assertThat(store().read(key, NOW)).isEqualTo(withClaim);
        assertThat(withClaim.level()).contains(before);
        assertThat(withClaim.pending()).contains(pending);
        ReportedLevels.State settled = store().replace(key, withClaim, Optional.of(claimed), Optional.empty(), NOW)
                .orElseThrow();
        assertThat(store().read(key, NOW)).isEqualTo(settled);
        assertThat(settled.pending()).isEmpty();
    }

    @Test
    void replace_shouldHoldAClaimWithoutALevel_forTheFirstAdjustmentOfASkuAndLocation() {
        ReportedLevels.Pending pending = new ReportedLevels.Pending("SHOPSYNC-0123456789abcdef", level(42, EARLIER),
                NOW.plusSeconds(120));

        store().replace(key, store().read(key, NOW), Optional.empty(), Optional.of(pending), NOW);

        assertThat(store().read(key, NOW).level()).isEmpty();
        assertThat(store().read(key, NOW).pending()).contains(pending);
    }

    @Test
    void replace_shouldWriteOverAnExpiredLevel_fromTheStateReadAfterItExpired() {
        store().remember(key, level(42, LATER), NOW);
        Instant afterRetention = NOW.plus(RETENTION).plusSeconds(2);
        ReportedLevels.State expired = store().read(key, afterRetention);
        Reported fresh = level(7, EARLIER);

        assertThat(expired.level()).isEmpty();
        assertThat(store().replace(key, expired, Optional.of(fresh), Optional.empty(), afterRetention)).isPresent();
        assertThat(store().last(key, afterRetention)).contains(fresh);
    }
}
