package io.shopsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A shop's webhook subscriptions through the Admin GraphQL API: list, create (with {@code uri}), delete. */
final class WebhookSubscriptions {

    /** What Shopify did with a create or delete. */
    sealed interface Change {
        record Done(String id) implements Change {}

        /** Shopify refused it: its userErrors, as one message. */
        record Refused(String message) implements Change {}
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

    private final ShopifyGraphql graphql;
    private final PrintWriter progress;

    WebhookSubscriptions(ShopifyGraphql graphql, PrintWriter progress) {
        this.graphql = graphql;
        this.progress = progress;
    }

    /** Every subscription of the app in the shop, page by page. */
    List<WebhookSubscription> list() {
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
            JsonNode connection = graphql.run("listing webhook subscriptions", LIST, variables).path("webhookSubscriptions");
            for (JsonNode node : connection.path("nodes")) {
                all.add(read(node));
            }
            page++;
            JsonNode pageInfo = connection.path("pageInfo");
            if (!pageInfo.path("hasNextPage").asBoolean(false) || pageInfo.path("endCursor").asText("").isEmpty()) {
                return all;
            }
            after = pageInfo.path("endCursor").asText();
            progress.println("shopify: " + all.size() + " subscriptions read (page " + page + "), reading more");
            progress.flush();
        }
    }

    Change create(String topicEnum, String uri) {
        ObjectNode variables = graphql.variables();
        variables.put("topic", topicEnum);
        variables.putObject("webhookSubscription").put("uri", uri).put("format", "JSON");
        JsonNode result = graphql.run("creating the " + topicEnum + " subscription", CREATE, variables)
                .path("webhookSubscriptionCreate");
        String errors = userErrors(result);
        if (errors != null) {
            return new Change.Refused(errors);
        }
        String id = result.path("webhookSubscription").path("id").asText("");
        return id.isEmpty() ? new Change.Refused("Shopify answered neither a subscription nor an error")
                : new Change.Done(id);
    }

    Change delete(String id) {
        ObjectNode variables = graphql.variables();
        variables.put("id", id);
        JsonNode result = graphql.run("deleting subscription " + id, DELETE, variables).path("webhookSubscriptionDelete");
        String errors = userErrors(result);
        if (errors != null) {
            return new Change.Refused(errors);
        }
        return new Change.Done(result.path("deletedWebhookSubscriptionId").asText(id));
    }

    private static String userErrors(JsonNode result) {
        List<String> messages = new ArrayList<>();
        for (JsonNode error : result.path("userErrors")) {
            StringBuilder text = new StringBuilder();
            JsonNode field = error.path("field");
            if (field.isArray() && !field.isEmpty()) {
                List<String> parts = new ArrayList<>();
                field.forEach(part -> parts.add(part.asText()));
                text.append(String.join(".", parts)).append(": ");
            }
            text.append(error.path("message").asText("(no message)"));
            messages.add(text.toString());
        }
        return messages.isEmpty() ? null : String.join("; ", messages);
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
