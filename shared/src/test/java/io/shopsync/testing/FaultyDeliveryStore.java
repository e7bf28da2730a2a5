package io.shopsync.testing;

import io.shopsync.delivery.DeliveryStore;
import io.shopsync.flow.EntityVersion;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * A delivery store that fails like DynamoDB does (a throttling {@link DynamoDbException}) on the
 * operations it is told to, for every call or for a share of calls, and otherwise is the store it wraps.
 */
public final class FaultyDeliveryStore implements DeliveryStore {

    public enum Operation { CLAIM, COMPLETE, RELEASE, FAIL, ATTEMPTS, WATERMARK, ADVANCE_WATERMARK }

    private final DeliveryStore store;
    private final Set<Operation> failing = EnumSet.noneOf(Operation.class);
    private IntPredicate failCall = call -> true;
    private int calls;
    public int failures;

    public FaultyDeliveryStore(DeliveryStore store) {
        this.store = store;
    }

    /** Every call of these operations fails from now on. */
    public synchronized FaultyDeliveryStore failing(Operation... operations) {
        failing.clear();
        failing.addAll(Set.of(operations));
        failCall = call -> true;
        return this;
    }

    /** Calls of these operations fail when {@code which} says so of the store's running call number. */
    public synchronized FaultyDeliveryStore failing(IntPredicate which, Operation... operations) {
        failing(operations);
        failCall = which;
        return this;
    }

    public synchronized FaultyDeliveryStore healthy() {
        failing.clear();
        return this;
    }

    private synchronized void maybeFail(Operation operation) {
        int call = ++calls;
        if (failing.contains(operation) && failCall.test(call)) {
            failures++;
            throw (DynamoDbException) DynamoDbException.builder().statusCode(400)
                    .message("Rate of requests exceeds the allowed throughput. (" + operation + ")")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").serviceName("DynamoDb").build())
                    .build();
        }
    }

    @Override
    public Claim claim(DeliveryKey key, boolean retryFailed, Checks checks, Instant now) {
        maybeFail(Operation.CLAIM);
        return store.claim(key, retryFailed, checks, now);
    }

    @Override
    public void complete(DeliveryKey key, Claim.Claimed claim, String outcome, Applied applied, Instant now) {
        maybeFail(Operation.COMPLETE);
        store.complete(key, claim, outcome, applied, now);
    }

    @Override
    public int attempts(DeliveryKey key, Claim.Claimed claim) {
        maybeFail(Operation.ATTEMPTS);
        return store.attempts(key, claim);
    }

    @Override
    public void release(DeliveryKey key, Claim.Claimed claim, boolean attempted, String reason) {
        maybeFail(Operation.RELEASE);
        store.release(key, claim, attempted, reason);
    }

    @Override
    public java.util.List<DeliveryRecord> records(String entity, Instant now) {
        return store.records(entity, now);
    }

    @Override
    public java.util.List<String> webhookEntities(String shop, String webhookId, Instant now) {
        return store.webhookEntities(shop, webhookId, now);
    }

    @Override
    public void fail(DeliveryKey key, Claim.Claimed claim, String reason, Instant now) {
        maybeFail(Operation.FAIL);
        store.fail(key, claim, reason, now);
    }

    @Override
    public Optional<EntityVersion> watermark(String watermarkKey, String target, Instant now) {
        maybeFail(Operation.WATERMARK);
        return store.watermark(watermarkKey, target, now);
    }

    @Override
    public boolean advanceWatermark(String watermarkKey, String target, EntityVersion version, Instant now) {
        maybeFail(Operation.ADVANCE_WATERMARK);
        return store.advanceWatermark(watermarkKey, target, version, now);
    }
}
