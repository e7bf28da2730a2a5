package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A shop's webhook subscriptions through the Admin GraphQL API: list, create (with {@code uri}, format JSON),
 * delete. What {@code scripts/shopsync webhooks} and the reconciler's {@link SubscriptionCheck} both use.
 * Throttling and transient failures are waited out ({@link AdminGraphql#run}); a request that still fails
 * throws {@link AdminGraphqlFailure} when listing, and is a {@link Change.Failed} for a create or delete.
 */
public final class WebhookSubscriptions {

    /** What Shopify did with a create or delete. */
    public sealed interface Change {
        record Done(String id) implements Change {}

        /**
         * Shopify refused it (userErrors).
         *
         * @param message the userErrors as one message, for an operator ("webhookSubscription.uri: ...")
         * @param fields the fields they name ("webhookSubscription.uri"), for alerts
         */
        record Refused(String message, List<String> fields) implements Change {
            public Refused {
                fields = List.copyOf(fields);
            }
        }

        /** The request failed (still throttled, Shopify failing, the token refused): the reason, codes and ids only. */
        record Failed(AdminGraphqlFailure failure) implements Change {}
    }

    static final String LIST = """
            query WebhookSubscriptions($after: String) {
              webhookSubscriptions(first: 100, after: $after) {
                pageInfo { hasNextPage endCursor }
                nodes {
                  id
                  topic
                  uri
                  format
                  includeFields
                  filter
                  endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } }
                }
              }
            }""";

    static final String CREATE = """
            mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, \
            $webhookSubscription: WebhookSubscriptionInput!) {
              webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
                webhookSubscription { id topic uri }
                userErrors { field message }
              }
            }""";

    static final String DELETE = """
            mutation WebhookSubscriptionDelete($id: ID!) {
              webhookSubscriptionDelete(id: $id) {
                deletedWebhookSubscriptionId
                userErrors { field message }
              }
            }""";

    private final AdminGraphql graphql;
    private final String shop;
    private final AdminGraphql.Waiter waiter;
    private final Consumer<String> progress;

    /**
     * @param shop the shop whose subscriptions (those of the app whose token {@code graphql} sends)
     * @param waiter waits before another attempt when Shopify throttles or fails
     * @param progress told how listing a long list goes ("12 subscriptions read (page 1), reading more")
     */
    public WebhookSubscriptions(AdminGraphql graphql, String shop, AdminGraphql.Waiter waiter, Consumer<String> progress) {
        this.graphql = graphql;
        this.shop = shop;
        this.waiter = waiter;
        this.progress = progress;
    }

    public String shop() {
        return shop;
    }

    /** Every subscription of the app in the shop, page by page. */
    public List<WebhookSubscription> list() {
        List<WebhookSubscription> all = new ArrayList<>();
        String after = null;
        int page = 0;
        while (true) {
            ObjectNode variables = graphql.variables();
            if (after == null) {
                variables.putNull("after");
            } else {
                variables.put("after", after);
            }
            JsonNode connection = data("listing webhook subscriptions", LIST, variables).path("webhookSubscriptions");
            for (JsonNode node : connection.path("nodes")) {
                all.add(read(node));
            }
            page++;
            JsonNode pageInfo = connection.path("pageInfo");
            if (!pageInfo.path("hasNextPage").asBoolean(false) || pageInfo.path("endCursor").asText("").isEmpty()) {
                return all;
            }
            after = pageInfo.path("endCursor").asText();
            progress.accept(all.size() + " subscriptions read (page " + page + "), reading more");
        }
    }

    /** Subscribes {@code topicEnum} (ORDERS_CREATE) to an HTTPS {@code uri}, format JSON: as register always has. */
    public Change create(String topicEnum, String uri) {
        ObjectNode variables = graphql.variables();
        variables.put("topic", topicEnum);
        variables.putObject("webhookSubscription").put("uri", uri).put("format", "JSON");
        JsonNode result;
        try {
            result = data("creating the " + topicEnum + " subscription", CREATE, variables).path("webhookSubscriptionCreate");
        } catch (AdminGraphqlFailure e) {
            return new Change.Failed(e);
        }
        Change.Refused refused = userErrors(result);
        if (refused != null) {
            return refused;
        }
        String id = result.path("webhookSubscription").path("id").asText("");
        return id.isEmpty() ? new Change.Refused("Shopify answered neither a subscription nor an error", List.of())
                : new Change.Done(id);
    }

    public Change delete(String id) {
        ObjectNode variables = graphql.variables();
        variables.put("id", id);
        JsonNode result;
        try {
            result = data("deleting subscription " + id, DELETE, variables).path("webhookSubscriptionDelete");
        } catch (AdminGraphqlFailure e) {
            return new Change.Failed(e);
        }
        Change.Refused refused = userErrors(result);
        if (refused != null) {
            return refused;
        }
        return new Change.Done(result.path("deletedWebhookSubscriptionId").asText(id));
    }

    private JsonNode data(String what, String query, ObjectNode variables) {
        AdminGraphql.Answer answer = graphql.run(shop, query, variables, what, waiter);
        if (answer instanceof AdminGraphql.Answer.Data data) {
            return data.data();
        }
        throw new AdminGraphqlFailure(what, answer);
    }

    private static Change.Refused userErrors(JsonNode result) {
        List<String> messages = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        for (JsonNode error : result.path("userErrors")) {
            StringBuilder text = new StringBuilder();
            JsonNode field = error.path("field");
            if (field.isArray() && !field.isEmpty()) {
                List<String> parts = new ArrayList<>();
                field.forEach(part -> parts.add(part.asText()));
                fields.add(String.join(".", parts));
                text.append(String.join(".", parts)).append(": ");
            }
            text.append(error.path("message").asText("(no message)"));
            messages.add(text.toString());
        }
        return messages.isEmpty() ? null : new Change.Refused(String.join("; ", messages), fields);
    }

    private static WebhookSubscription read(JsonNode node) {
        String uri = node.path("uri").isTextual() ? node.path("uri").asText() : null;
        if (uri == null || uri.isBlank()) {
            JsonNode callback = node.path("endpoint").path("callbackUrl");
            uri = callback.isTextual() ? callback.asText() : null;
        }
        List<String> includeFields = new ArrayList<>();
        node.path("includeFields").forEach(field -> includeFields.add(field.asText()));
        return new WebhookSubscription(node.path("id").asText(null), node.path("topic").asText(""), uri,
                node.path("format").asText(null), includeFields,
                node.path("filter").isTextual() ? node.path("filter").asText() : null);
    }
}
