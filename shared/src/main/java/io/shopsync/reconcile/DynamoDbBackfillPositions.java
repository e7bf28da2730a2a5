package io.shopsync.reconcile;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Backfill positions in the idempotency table, next to the reconciler's checkpoints:
 * {@code backfill#<shop>#<since>#<check>} with {@code through} (ISO-8601), {@code handledAt} (the order ids
 * handled at that instant) and {@code finished}; for a paged scan (the stock import) {@code pageKey} (the location),
 * {@code pageCursor} (absent on its first page) and {@code pageHandled} (the level ids handled on that page). In the table rather than a file on the operator's machine: a
 * run resumed from another machine, or by a colleague, continues from the same place, and what was queued is
 * recorded where the stack keeps what was delivered. No expiry; a finished item is a record of the import.
 */
public final class DynamoDbBackfillPositions implements Backfill.Positions {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbBackfillPositions(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static String key(String shop, Instant since, String check) {
        return "backfill#" + shop + "#" + since + "#" + check;
    }

    @Override
    public Optional<Backfill.Position> read(String shop, Instant since, String check) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.builder().s(key(shop, since, check)).build()))).item();
        if (item == null || !item.containsKey("through")) {
            return Optional.empty();
        }
        Set<String> handledAt = item.containsKey("handledAt") ? new HashSet<>(item.get("handledAt").ss()) : Set.of();
        boolean finished = item.containsKey("finished") && Boolean.TRUE.equals(item.get("finished").bool());
        ScanProgress.PagePosition page = item.containsKey("pageKey") ? new ScanProgress.PagePosition(
                item.get("pageKey").s(), item.containsKey("pageCursor") ? item.get("pageCursor").s() : null,
                item.containsKey("pageHandled") ? new HashSet<>(item.get("pageHandled").ss()) : Set.of()) : null;
        return Optional.of(new Backfill.Position(Instant.parse(item.get("through").s()), handledAt, finished, page));
    }

    @Override
    public void save(String shop, Instant since, String check, Backfill.Position position) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.builder().s(key(shop, since, check)).build());
        item.put("through", AttributeValue.builder().s(position.through().toString()).build());
        item.put("finished", AttributeValue.builder().bool(position.finished()).build());
        item.put("savedAt", AttributeValue.builder().s(Instant.now().toString()).build());
        if (!position.handledAt().isEmpty()) {
            // A string set cannot be empty.
            item.put("handledAt", AttributeValue.builder().ss(position.handledAt()).build());
        }
        ScanProgress.PagePosition page = position.page();
        if (page != null) {
            item.put("pageKey", AttributeValue.builder().s(page.key()).build());
            if (page.cursor() != null) {
                item.put("pageCursor", AttributeValue.builder().s(page.cursor()).build());
            }
            if (!page.handledOnPage().isEmpty()) {
                item.put("pageHandled", AttributeValue.builder().ss(page.handledOnPage()).build());
            }
        }
        dynamo.putItem(r -> r.tableName(table).item(item));
    }
}
