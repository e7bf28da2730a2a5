package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.shopify.AdminGraphql;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.Consumer;

/**
 * The shop's customers as a customer import reads them through the Admin GraphQL API: the {@code customers}
 * connection over a window of {@code updated_at}, oldest update first ({@code sortKey: UPDATED_AT}), each node with
 * every field {@link CustomerPayload} needs, so no customer is read twice. Shopify's cost-based throttle is waited
 * out as its {@code throttleStatus} says, and its server-side errors are retried with a growing pause
 * ({@link AdminGraphql#run}, at most {@link AdminGraphql#MAX_ATTEMPTS} requests a page); what outlasts them, or
 * any other refusal, fails the check loudly. As in {@link ShopifyOrders}, no query pages past
 * {@code maxPerQuery} customers (Shopify's pagination cap): the scan starts a new query at the {@code updated_at}
 * of the last customer it read.
 */
public final class ShopifyCustomers {

    /**
     * Customers a page: each costs 4 points (itself, its e-mail, phone and default address), so a page costs 402
     * of the 1,000 a single query may.
     */
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int DEFAULT_MAX_PER_QUERY = 20_000;

    private static final String ADDRESS = "{ firstName lastName name company address1 address2 city province provinceCode"
            + " country countryCodeV2 zip phone }";
    /**
     * Scope {@code read_customers}; e-mail, phone, name and address are protected customer data the app must be
     * approved for (as for the order scan's customer).
     */
    static final String CUSTOMERS = "query CustomerVersions($first: Int!, $after: String, $query: String!) {"
            + " customers(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {"
            + " pageInfo { hasNextPage endCursor } nodes { legacyResourceId firstName lastName state note verifiedEmail"
            + " taxExempt createdAt updatedAt defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }"
            + " defaultAddress " + ADDRESS + " } } }";

    /** A listed customer: its id and update time (the scan's position) and the node as Shopify answered it. */
    public record Listed(ShopifyOrders.Version version, JsonNode customer) {}

    private final AdminGraphql graphql;
    private final int pageSize;
    private final int maxPerQuery;
    private final ShopifyOrders.Sleeper sleeper;

    public static ShopifyCustomers withDefaults(ShopifyAdmin admin, ShopifyOrders.Sleeper sleeper) {
        return new ShopifyCustomers(admin.graphql(), DEFAULT_PAGE_SIZE, DEFAULT_MAX_PER_QUERY, sleeper);
    }

    public ShopifyCustomers(AdminGraphql graphql, int pageSize, int maxPerQuery, ShopifyOrders.Sleeper sleeper) {
        if (pageSize < 1 || pageSize > 250 || maxPerQuery < pageSize) {
            throw new IllegalArgumentException("page size is 1..250 (Shopify's limit) and at most maxPerQuery: "
                    + pageSize + ", " + maxPerQuery);
        }
        this.graphql = graphql;
        this.pageSize = pageSize;
        this.maxPerQuery = maxPerQuery;
        this.sleeper = sleeper;
    }

    /** Calls {@code each} for every customer updated in [{@code from}, {@code to}), oldest update first. */
    public void scan(String shop, Instant from, Instant to, Consumer<Listed> each) {
        Instant queryFrom = from;
        String cursor = null;
        int inQuery = 0;
        Instant last = null;
        while (true) {
            JsonNode connection = page(shop, queryFrom, to, cursor);
            for (JsonNode node : connection.path("nodes")) {
                ShopifyOrders.Version version = version(shop, node);
                last = version.updatedAt();
                each.accept(new Listed(version, node));
            }
            inQuery += connection.path("nodes").size();
            JsonNode pageInfo = connection.path("pageInfo");
            if (!pageInfo.path("hasNextPage").asBoolean(false)) {
                return;
            }
            if (inQuery + pageSize > maxPerQuery) {
                if (last == null || !last.isAfter(queryFrom)) {
                    throw new ReconcileFailedException("shop " + shop + ": more than " + maxPerQuery + " customers were"
                            + " updated at " + queryFrom + ", more than one query may page through: import that second"
                            + " with a bulk operation (docs/operations.md, Backfill and initial import)");
                }
                queryFrom = last;
                cursor = null;
                inQuery = 0;
            } else {
                cursor = pageInfo.path("endCursor").asText(null);
                if (cursor == null) {
                    throw new ReconcileFailedException("shop " + shop + ": Shopify said more customers follow but gave"
                            + " no endCursor; run the same command again");
                }
            }
        }
    }

    private JsonNode page(String shop, Instant from, Instant to, String after) {
        ObjectNode variables = graphql.variables().put("first", pageSize)
                .put("query", "updated_at:>='" + from + "' updated_at:<'" + to + "'");
        if (after == null) {
            variables.putNull("after");
        } else {
            variables.put("after", after);
        }
        String what = "the customers updated from " + from + " to " + to;
        AdminGraphql.Answer answer = graphql.run(shop, CUSTOMERS, variables, what,
                (wait, why, nextAttempt) -> sleeper.sleep(wait));
        if (answer instanceof AdminGraphql.Answer.Data data) {
            return data.data().path("customers");
        }
        String reason = answer instanceof AdminGraphql.Answer.Throttled throttled
                ? "Shopify still throttled " + what + " after " + AdminGraphql.MAX_ATTEMPTS + " attempts ("
                + throttled.bucket() + "); another app may be using the shop's bucket"
                : ((AdminGraphql.Answer.Failed) answer).reason() + (((AdminGraphql.Answer.Failed) answer).transientFailure()
                ? " (still failing after " + AdminGraphql.MAX_ATTEMPTS + " attempts; see Shopify's status page if it persists)"
                : "");
        throw new ReconcileFailedException("shop " + shop + ": reading " + what + " from Shopify failed: " + reason);
    }

    private static ShopifyOrders.Version version(String shop, JsonNode node) {
        String id = node.path("legacyResourceId").asText("");
        if (!id.matches("[1-9][0-9]{0,24}")) {
            throw new ReconcileFailedException("shop " + shop + ": Shopify listed a customer without a numeric legacyResourceId");
        }
        try {
            return new ShopifyOrders.Version(id, OffsetDateTime.parse(node.path("updatedAt").asText()).toInstant());
        } catch (DateTimeParseException e) {
            throw new ReconcileFailedException("shop " + shop + ": Shopify listed customer " + id + " without a valid updatedAt", e);
        }
    }
}
