package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.TopicRule;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What the order and fulfilment checks share: which of a flow's targets lack a version of an entity (its
 * watermark key computed by the flow's own {@link TopicRule}, as delivery computes it).
 */
final class TargetWatermarks {

    /** Which targets lack this version; {@code seenByAny} when some target has an older one. */
    record Behind(boolean seenByAny, List<String> why) {}

    private final Set<String> targets;
    private final DeliveryStore store;
    private final Clock clock;

    TargetWatermarks(Set<String> targets, DeliveryStore store, Clock clock) {
        this.targets = Set.copyOf(targets);
        this.store = store;
        this.clock = clock;
    }

    /** Empty when every target has this version of the payload's entity, or a newer one. */
    Optional<Behind> behind(String shop, TopicRule rule, ObjectNode payload) {
        String watermarkKey = rule.watermark().orElseThrow().of(shop, payload);
        EntityVersion version = versionOf(payload);
        Instant now = clock.instant();
        boolean seenByAny = false;
        List<String> why = new ArrayList<>();
        for (String target : targets.stream().sorted().toList()) {
            Optional<EntityVersion> applied;
            try {
                applied = store.watermark(watermarkKey, target, now);
            } catch (SdkException e) {
                throw new ReconcileFailedException("shop " + shop + ": cannot read the watermark of " + watermarkKey
                        + " for " + target + " (" + e.getClass().getSimpleName() + "): check the table and the role", e);
            }
            seenByAny |= applied.isPresent();
            if (applied.isEmpty()) {
                why.add(target + ": never delivered");
            } else if (version.isNewerThan(applied.get())) {
                why.add(target + ": has " + applied.get().updatedAt());
            }
        }
        return why.isEmpty() ? Optional.empty() : Optional.of(new Behind(seenByAny, why));
    }

    /** The version the delivery loop will give a reconciled envelope: updated_at, with itself as triggered-at. */
    static EntityVersion versionOf(ObjectNode payload) {
        EntityVersion read = EntityVersion.of(payload, null);
        return new EntityVersion(read.updatedAt(), read.updatedAt());
    }
}
