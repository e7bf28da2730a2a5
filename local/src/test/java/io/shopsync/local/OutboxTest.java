package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.http.HttpTransport;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private final Outbox outbox = new Outbox(new ObjectMapper());

    private static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer pat-na1-secret")
                .header("revision", "2026-10-15")
                .header("X-Api-Key", "k")
                .header("X-Access-Token", "t")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void exchange_recordsRequestsInSendOrder_withSecretsMaskedAndJsonBodies() throws Exception {
        HttpTransport orders = outbox.transportFor("order-to-crm");

        HttpTransport.Answer answer = orders.exchange(post("https://api.hubapi.com/crm/objects/2026-09/contacts/batch/upsert",
                "{\"inputs\":[{\"id\":\"zoe@example.com\"}]}"));
        orders.exchange(post("https://a.klaviyo.com/api/events", "not json"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{}");
        List<Outbox.Request> requests = outbox.requests();
        assertThat(requests).extracting(Outbox.Request::target).containsExactly("hubspot", "klaviyo");
        Outbox.Request first = requests.get(0);
        assertThat(first.flow()).isEqualTo("order-to-crm");
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.url()).isEqualTo("https://api.hubapi.com/crm/objects/2026-09/contacts/batch/upsert");
        assertThat(first.headers()).containsEntry("authorization", "***").containsEntry("x-api-key", "***")
                .containsEntry("x-access-token", "***").containsEntry("revision", "2026-10-15");
        assertThat(first.body().path("inputs").get(0).path("id").asText()).isEqualTo("zoe@example.com");
        assertThat(requests.get(1).body().asText()).isEqualTo("not json");
        assertThat(outbox.countByTarget("order-to-crm")).isEqualTo(Map.of("hubspot", 1, "klaviyo", 1));
        assertThat(outbox.countByTarget("stock-to-inventory")).isEmpty();
    }

    /** A Dev Dashboard app's client credentials in a local run: the store's stand-in issues a token, the outbox keeps no secret. */
    @Test
    void exchange_masksSecretsInAFormBody_andTheDryRunStoreIssuesAToken() throws Exception {
        DryRunResponders.register(outbox, new ObjectMapper());
        HttpTransport stock = outbox.transportFor("stock-to-inventory");

        HttpTransport.Answer answer = stock.exchange(HttpRequest.newBuilder(
                        URI.create("https://shopsync-demo.myshopify.com/admin/oauth/access_token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=7d2c4c4e0b1f&client_secret=shpss_4f9d2a6c8e1b")).build());

        assertThat(new ObjectMapper().readTree(answer.body()).path("access_token").asText()).isNotBlank();
        assertThat(new ObjectMapper().readTree(answer.body()).path("expires_in").asLong()).isEqualTo(86399);
        assertThat(outbox.requests()).singleElement().satisfies(request -> assertThat(request.body().asText())
                .isEqualTo("grant_type=client_credentials&client_id=7d2c4c4e0b1f&client_secret=***"));
    }

    @Test
    void exchange_usesTheNamedTargetAndTheHostsResponder() throws Exception {
        outbox.nameTarget("stock.example.net", "inventory");
        outbox.respond("stock.example.net", request -> new HttpTransport.Answer(207,
                HttpHeaders.of(Map.of(), (a, b) -> true), "{\"status\":\"COMPLETE\",\"errors\":[]}"));
        HttpTransport transport = outbox.transportFor("stock-to-inventory");

        HttpTransport.Answer answer = transport.exchange(post("https://stock.example.net/levels", "{}"));
        transport.exchange(post("https://erp.example.org/levels", "{}"));

        assertThat(answer.status()).isEqualTo(207);
        assertThat(outbox.requests()).extracting(Outbox.Request::target).containsExactly("inventory", "example");
    }

    @Test
    void isSecret_masksAuthorizationApiKeysTokensAndSecrets() {
        assertThat(Outbox.isSecret("Authorization")).isTrue();
        assertThat(Outbox.isSecret("x-api-key")).isTrue();
        assertThat(Outbox.isSecret("X-Shopify-Access-Token")).isTrue();
        assertThat(Outbox.isSecret("client-secret")).isTrue();
        assertThat(Outbox.isSecret("webhook-id")).isFalse();
        assertThat(Outbox.isSecret("revision")).isFalse();
    }
}
