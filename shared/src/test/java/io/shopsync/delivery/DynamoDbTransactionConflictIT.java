package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.delivery.DeliveryStore.Applied;
import io.shopsync.delivery.DeliveryStore.Checks;
import io.shopsync.delivery.DeliveryStore.Claim;
import io.shopsync.delivery.DeliveryStore.DeliveryKey;
import io.shopsync.delivery.DeliveryStore.EventKey;
import io.shopsync.delivery.DeliveryStore.Versioned;
import io.shopsync.flow.EntityVersion;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * DynamoDB cancels a transaction that meets another one on the same item with reason {@code TransactionConflict}
 * (two orders of one customer delivered at once both check the customer's watermark, say). The emulator in the
 * test suite never does, so here the client in front of the real table answers the first transactions the way
 * DynamoDB does in that case: the store must try again, never take the conflict for a refusal (stale,
 * duplicate), and give up with an error the delivery loop retries when the conflict does not clear.
 */
@ExtendWith(AwsBackend.class)
class DynamoDbTransactionConflictIT {

    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final DeliveryKey KEY = new DeliveryKey(SHOP + "/b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "hubspot",
            "orders/updated", "order/820982911946154508");
    private static final Versioned ORDER = new Versioned(SHOP + "/order/820982911946154508",
            new EntityVersion(Instant.parse("2026-11-27T15:58:11Z"), Instant.parse("2026-11-27T15:58:12Z")));
    private static final Versioned CUSTOMER = new Versioned(SHOP + "/customer/115310627314723954",
            new EntityVersion(Instant.parse("2026-11-27T15:40:00Z"), Instant.parse("2026-11-27T15:58:12Z")));
    private static final EventKey EVENT = new EventKey(SHOP, "orders/updated", "98880550-7158-44d4-b7cd-2c97c8a091b5",
            "hubspot");

    private final DynamoDbClient dynamo;
    private final String table;
    /** How many of the next TransactWriteItems calls answer TransactionConflict instead of reaching the table. */
    private final AtomicInteger conflicts = new AtomicInteger();
    private final List<String> transactions = new ArrayList<>();

    DynamoDbTransactionConflictIT(AwsClients aws) {
        this.table = aws.createTable("shopsync-conflict-it");
        DynamoDbClient real = aws.dynamo();
        this.dynamo = (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("transactWriteItems")) {
                        synchronized (transactions) {
                            transactions.add(conflicts.get() > 0 ? "conflict" : "sent");
                        }
                        if (conflicts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            throw conflict(items(args[0]));
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @SuppressWarnings("unchecked")
    private static int items(Object request) {
        TransactWriteItemsRequest built = request instanceof TransactWriteItemsRequest r ? r
                : TransactWriteItemsRequest.builder().applyMutation((Consumer<TransactWriteItemsRequest.Builder>) request).build();
        return built.transactItems().size();
    }

    /** DynamoDB's answer: 400 TransactionCanceledException, one reason per item, the conflicting one named. */
    private static TransactionCanceledException conflict(int items) {
        List<CancellationReason> reasons = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            reasons.add(i == items - 1
                    ? CancellationReason.builder().code("TransactionConflict")
                            .message("Transaction is ongoing for the item").build()
                    : CancellationReason.builder().code("None").build());
        }
        return (TransactionCanceledException) TransactionCanceledException.builder()
                .message("Transaction cancelled, please refer cancellation reasons for specific reasons "
                        + reasons.stream().map(CancellationReason::code).toList())
                .cancellationReasons(reasons).statusCode(400).build();
    }

    private DynamoDbDeliveryStore store() {
        return new DynamoDbDeliveryStore(dynamo, table, Duration.ofMinutes(5), Duration.ofHours(72), Duration.ofDays(35));
    }

    private static Checks checks() {
        return new Checks(Optional.of(EVENT), Optional.of(ORDER), false, Optional.of(CUSTOMER));
    }

    private Map<String, AttributeValue> item(String pk) {
        return dynamo.getItem(r -> r.tableName(table).key(Map.of("pk", AttributeValue.fromS(pk))).consistentRead(true))
                .item();
    }

    @Test
    void aClaimThatMeetsAConflict_isTriedAgain_andClaims() {
        DynamoDbDeliveryStore store = store();
        conflicts.set(1);

        Claim claim = store.claim(KEY, false, checks(), NOW);

        assertThat(claim).isInstanceOf(Claim.Claimed.class);
        assertThat(transactions).containsExactly("conflict", "sent");
        Claim.Claimed claimed = (Claim.Claimed) claim;
        assertThat(claimed.staleState()).isFalse();
        assertThat(claimed.stalePerson()).isFalse();
    }

    @Test
    void aCompletionThatMeetsAConflict_isTriedAgain_andWritesTheRecordTheWatermarksAndTheEvent() {
        DynamoDbDeliveryStore store = store();
        Claim.Claimed claimed = (Claim.Claimed) store.claim(KEY, false, checks(), NOW);
        conflicts.set(1);

        store.complete(KEY, claimed, "delivered", new Applied(Optional.of(ORDER), Optional.of(CUSTOMER), Optional.of(EVENT)),
                NOW.plusSeconds(1));

        assertThat(transactions).containsExactly("sent", "conflict", "sent");
        assertThat(store.watermark(ORDER.watermarkKey(), "hubspot", NOW.plusSeconds(2))).contains(ORDER.version());
        assertThat(store.watermark(CUSTOMER.watermarkKey(), "hubspot", NOW.plusSeconds(2))).contains(CUSTOMER.version());
        // A second copy of the webhook is a duplicate; another subscription's copy of the action is refused too.
        assertThat(store.claim(KEY, false, checks(), NOW.plusSeconds(3))).isEqualTo(new Claim.AlreadyCompleted("delivered"));
        DeliveryKey otherCopy = new DeliveryKey(SHOP + "/0d3b5a2e-6c8e-4a43-a3a2-7f3f1f5c9d11", "hubspot",
                "orders/updated", KEY.entity());
        assertThat(store.claim(otherCopy, false, checks(), NOW.plusSeconds(3)))
                .isEqualTo(new Claim.EventDelivered(KEY.deliveryId()));
    }

    @Test
    void aConflictThatDoesNotClear_failsTheClaimWithAnErrorTheLoopRetries_andWritesNothing() {
        DynamoDbDeliveryStore store = store();
        conflicts.set(Integer.MAX_VALUE);

        assertThatThrownBy(() -> store.claim(KEY, false, checks(), NOW)).isInstanceOf(SdkException.class);

        assertThat(transactions).hasSizeGreaterThan(1).allMatch("conflict"::equals);
        conflicts.set(0);
        assertThat(store.claim(KEY, false, checks(), NOW.plusSeconds(1))).isInstanceOf(Claim.Claimed.class);
    }
}
