package io.shopsync.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.shopsync.connectors.shopify.AdminGraphql;
import io.shopsync.connectors.shopify.WebhookSubscription;
import io.shopsync.testing.ShopifySubscriptionsAnswers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code webhooks list|register|delete} against a local server answering as Shopify's Admin GraphQL
 * API (2026-10) does: paging, userErrors, THROTTLED with the cost extension, HTTP errors.
 */
class WebhooksCommandContractTest {

    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private static final String TOKEN = "shpat_0123456789abcdef0123456789abcdef";
    private static final String CLIENT_ID = "7d2c4c4e0b1f4b8a9c3e5f6a7b8c9d0e";
    private static final String CLIENT_SECRET = "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";
    private static final String GRANTED = "shpat_cc11111111111111111111111111aa";
    private static final String BASE = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    private static final String ORDERS = BASE + "/webhooks/orders";
    private static final String INVENTORY = BASE + "/webhooks/inventory";
    private static final String FULFILMENTS = BASE + "/webhooks/fulfilments";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATE = "webhookSubscriptionCreate(";
    private static final String DELETE = "webhookSubscriptionDelete(";

    private WireMockServer shopify;
    private CliRun cli;
    private final ShopifySubscriptionsAnswers answers = new ShopifySubscriptionsAnswers();

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        shopify.start();
        cli = new CliRun(Map.of("SHOPIFY_ADMIN_TOKEN", TOKEN), Duration.ZERO);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private CliRun.Result webhooks(String... args) {
        List<String> all = new ArrayList<>(List.of("webhooks"));
        all.addAll(List.of(args));
        all.addAll(List.of("--shop", "my-store", "--admin-url", shopify.baseUrl()));
        return cli.run(all.toArray(String[]::new));
    }

    // --- what Shopify answers -------------------------------------------------------------------------

    private ObjectNode subscription(String topic, String uri) {
        return answers.subscription(topic, uri);
    }

    private static String page(List<ObjectNode> nodes, String endCursor) {
        return ShopifySubscriptionsAnswers.page(nodes, endCursor);
    }

    private static String throttled(int requested, int available, int restoreRate) {
        return ShopifySubscriptionsAnswers.throttled(requested, available, restoreRate);
    }

    private static MappingBuilder listQuery() {
        return post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query", containing("webhookSubscriptions(")));
    }

    private static MappingBuilder createMutation() {
        return post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query", containing(CREATE)));
    }

    private static MappingBuilder deleteMutation() {
        return post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query", containing(DELETE)));
    }

    private void stubList(List<ObjectNode> nodes) {
        shopify.stubFor(listQuery().willReturn(okJson(page(nodes, null))));
    }

    private void stubCreatesSucceed() {
        shopify.stubFor(createMutation().willReturn(okJson("""
                {"data":{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/900",
                 "topic":"ORDERS_CREATE","uri":"%s"},"userErrors":[]}}}""".formatted(ORDERS))));
    }

    /** The bodies of the GraphQL requests Shopify received for one operation (CREATE, DELETE), in order. */
    private List<JsonNode> requests(String operation) {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest request : shopify.findAll(postRequestedFor(urlEqualTo(PATH)))) {
            JsonNode body = json(request.getBodyAsString());
            if (body.path("query").asText().contains(operation)) {
                bodies.add(body);
            }
        }
        return bodies;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every (topic, uri) the stack wants: each flow's topics to its URL. */
    private static List<String> wantedPairs() {
        List<String> pairs = new ArrayList<>();
        for (DeployedFlow flow : DeployedFlow.ALL) {
            String uri = BASE + flow.route();
            flow.topics().forEach(topic -> pairs.add(WebhookSubscription.enumOf(topic) + " " + uri));
        }
        return pairs;
    }

    // --- list ----------------------------------------------------------------------------------------

    @Test
    void list_shouldReadEveryPage_andShowEachSubscriptionsTopicFlowAndUri() {
        ObjectNode orders = subscription("ORDERS_CREATE", ORDERS);
        ObjectNode fallback = subscription("INVENTORY_LEVELS_UPDATE", null);
        fallback.putNull("uri");
        ((ObjectNode) fallback.path("endpoint")).put("callbackUrl", INVENTORY);
        ObjectNode filtered = subscription("CUSTOMERS_CREATE", "https://old.example.com/hooks");
        filtered.put("format", "XML").put("filter", "tags:vip");
        shopify.stubFor(listQuery().atPriority(5).willReturn(okJson(page(List.of(orders, fallback), "cursor-1"))));
        shopify.stubFor(listQuery().atPriority(1).withRequestBody(matchingJsonPath("$.variables.after", equalTo("cursor-1")))
                .willReturn(okJson(page(List.of(filtered), null))));

        CliRun.Result result = webhooks("list");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("my-store.myshopify.com: 3 webhook subscriptions (Admin API 2026-10)")
                .containsPattern("1000 +orders/create +order-to-crm +" + ORDERS)
                .containsPattern("1001 +inventory_levels/update +stock-to-inventory +" + INVENTORY)
                .containsPattern("1002 +CUSTOMERS_CREATE +- +https://old.example.com/hooks")
                .contains("note: format XML: the flows read JSON", "note: filter \"tags:vip\"");
        assertThat(result.err()).contains("2 subscriptions read (page 1), reading more");
        shopify.verify(2, postRequestedFor(urlEqualTo(PATH)).withHeader("X-Shopify-Access-Token", equalTo(TOKEN)));
        assertThat(result.all()).doesNotContain(TOKEN);
    }

    // --- register ------------------------------------------------------------------------------------

    @Test
    void register_shouldCreateEachFlowsTopics_forTheStacksUrls_withUriAndJsonFormat() {
        stubList(List.of());
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--base-url", BASE + "/");

        assertThat(result.exitCode()).as(result.all()).isZero();
        List<JsonNode> creates = requests(CREATE);
        assertThat(creates).extracting(body -> body.path("variables").path("topic").asText() + " "
                + body.path("variables").path("webhookSubscription").path("uri").asText())
                .containsExactlyInAnyOrderElementsOf(wantedPairs()).hasSize(12);
        assertThat(creates).allSatisfy(body ->
                assertThat(body.path("variables").path("webhookSubscription").path("format").asText()).isEqualTo("JSON"));
        assertThat(result.out()).containsPattern("created +orders/create +" + ORDERS)
                .containsPattern("created +fulfillments/update +" + FULFILMENTS)
                .contains("created 12, kept 0, extra 0");
    }

    @Test
    void register_shouldCreateNothing_whenRunAgain() {
        stubList(List.of());
        stubCreatesSucceed();
        assertThat(webhooks("register", "--base-url", BASE).exitCode()).isZero();
        List<ObjectNode> registered = new ArrayList<>();
        for (JsonNode create : requests(CREATE)) {
            registered.add(subscription(create.path("variables").path("topic").asText(),
                    create.path("variables").path("webhookSubscription").path("uri").asText()));
        }
        shopify.resetRequests();
        stubList(registered);

        CliRun.Result second = webhooks("register", "--base-url", BASE);

        assertThat(second.exitCode()).as(second.all()).isZero();
        assertThat(requests(CREATE)).isEmpty();
        assertThat(second.out()).containsPattern("kept +refunds/create +" + ORDERS).contains("created 0, kept 12, extra 0");
    }

    @Test
    void register_shouldReportExtraSubscriptions_andDeleteNone() {
        stubList(List.of(subscription("ORDERS_PAID", ORDERS),
                subscription("ORDERS_CREATE", "https://old-stack.example.com/webhooks/orders"),
                subscription("CUSTOMERS_CREATE", ORDERS),
                subscription("PRODUCTS_UPDATE", "https://pim.example.com/shopify")));
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--base-url", BASE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(requests(CREATE)).hasSize(11);
        assertThat(requests(DELETE)).isEmpty();
        assertThat(result.out()).containsPattern("kept +orders/paid +" + ORDERS)
                .containsPattern("extra +orders/create +https://old-stack.example.com/webhooks/orders +id 1001: also "
                        + "delivered to a URL that is not this stack's")
                .containsPattern("extra +CUSTOMERS_CREATE +" + ORDERS + " +id 1002: points at this stack's order-to-crm route, "
                        + "which does not take this topic")
                .containsPattern("extra +PRODUCTS_UPDATE .*no flow takes this topic; left as it is")
                .contains("created 11, kept 1, extra 3", "webhooks delete --shop my-store.myshopify.com --id ID");
    }

    private static final String SOURCE_ARN =
            "arn:aws:events:eu-west-1::event-source/aws.partner/shopify.com/313726713857/shopsync";

    @Test
    void register_shouldSubscribeEachFlowsTopics_toTheEventSource_leavingTheHttpsOnesDuringTheSwitch() {
        stubList(List.of(subscription("ORDERS_CREATE", ORDERS)));
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--delivery", "eventbridge", "--source-arn", SOURCE_ARN);

        assertThat(result.exitCode()).as(result.all()).isZero();
        List<JsonNode> creates = requests(CREATE);
        assertThat(creates).hasSize(12).allSatisfy(body -> {
            assertThat(body.path("variables").path("webhookSubscription").path("uri").asText()).isEqualTo(SOURCE_ARN);
            assertThat(body.path("variables").path("webhookSubscription").path("format").asText()).isEqualTo("JSON");
        });
        assertThat(creates).extracting(body -> body.path("variables").path("topic").asText())
                .containsExactlyInAnyOrderElementsOf(wantedPairs().stream().map(pair -> pair.split(" ")[0]).toList());
        assertThat(requests(DELETE)).isEmpty();
        assertThat(result.out()).containsPattern("created +orders/create +" + SOURCE_ARN)
                .containsPattern("extra +orders/create +" + ORDERS)
                .contains("created 12, kept 0, extra 1");
    }

    @Test
    void register_shouldRefuseAnEventBridgeDelivery_withoutAPartnerEventSourceArn() {
        CliRun.Result missing = webhooks("register", "--delivery", "eventbridge");
        CliRun.Result notASource = webhooks("register", "--delivery", "eventbridge", "--source-arn",
                "arn:aws:events:eu-west-1:123456789012:event-bus/shopsync");

        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("--source-arn");
        assertThat(notASource.exitCode()).isNotZero();
        assertThat(notASource.err()).contains("arn:aws:events:<region>::event-source/aws.partner/shopify.com/<app id>/<source name>");
        assertThat(requests(CREATE)).isEmpty();
    }

    @Test
    void register_shouldCreateNothing_inADryRun() {
        stubList(List.of(subscription("ORDERS_PAID", ORDERS)));

        CliRun.Result result = webhooks("register", "--base-url", BASE, "--dry-run");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(requests(CREATE)).isEmpty();
        assertThat(result.out()).contains("dry run, nothing changes", "would create 11, kept 1, extra 0");
    }

    @Test
    void register_shouldFail_withShopifysUserErrors_andSayWhatToDo_whenShopifyRefusesOne() {
        stubList(List.of());
        stubCreatesSucceed();
        shopify.stubFor(createMutation().atPriority(1).withRequestBody(matchingJsonPath("$.variables.topic",
                equalTo("REFUNDS_CREATE"))).willReturn(okJson("""
                {"data":{"webhookSubscriptionCreate":{"webhookSubscription":null,"userErrors":[
                  {"field":["webhookSubscription","uri"],"message":"Address for this topic has already been taken"}]}}}""")));

        CliRun.Result result = webhooks("register", "--base-url", BASE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).containsPattern("REFUSED +refunds/create +" + ORDERS
                + " +Shopify said: webhookSubscription.uri: Address for this topic has already been taken")
                .contains("created 11, kept 0, extra 0, refused 1");
        assertThat(result.err()).contains("1 subscription(s) not created: refunds/create: webhookSubscription.uri: "
                + "Address for this topic has already been taken", "then run register again: it creates only what is missing");
    }

    @Test
    void register_shouldWaitAsLongAsTheBucketNeeds_andRetry_whenShopifyThrottles() {
        shopify.stubFor(listQuery().inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(throttled(202, 2, 100))).willSetStateTo("refilled"));
        shopify.stubFor(listQuery().inScenario("throttle").whenScenarioStateIs("refilled")
                .willReturn(okJson(page(List.of(), null))));
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--base-url", BASE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(cli.waits).containsExactly(Duration.ofSeconds(2));
        assertThat(result.err()).contains("shopify: Shopify throttled the request (2 of 2000 points available, 202 needed, "
                + "restoring 100/s); waiting 2.0 s, then attempt 2 of 5");
        assertThat(result.out()).contains("created 12, kept 0, extra 0");
    }

    /**
     * The flows' look-ups and the CLI wait alike (AdminGraphql.refill): without a throttleStatus the bucket is
     * assumed to restore at 50 points/s, so a 202-point request waits 4.04 s, not "attempt" seconds.
     */
    @Test
    void register_shouldWaitTheSameRefillAsTheFlows_whenShopifyReportsNoThrottleStatus() {
        shopify.stubFor(listQuery().inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("""
                        {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
                         "extensions":{"cost":{"requestedQueryCost":202,"actualQueryCost":null}}}"""))
                .willSetStateTo("refilled"));
        shopify.stubFor(listQuery().inScenario("throttle").whenScenarioStateIs("refilled")
                .willReturn(okJson(page(List.of(), null))));
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--base-url", BASE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(cli.waits).containsExactly(Duration.ofMillis(4040));
        assertThat(result.err()).contains("shopify: Shopify throttled the request; waiting 4.0 s, then attempt 2 of 5");
    }

    /** Shopify sometimes answers 200 with INTERNAL_SERVER_ERROR: the same request succeeds a moment later. */
    @Test
    void list_shouldRetry_whenShopifyAnswers200WithAnInternalServerError() {
        shopify.stubFor(listQuery().inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("""
                        {"errors":[{"message":"Internal error. Looks like something went wrong on our end.",
                          "extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"3f6c1b8e-5a2d-4c1e-9b7a-0d4e2f6a8c1b"}}]}"""))
                .willSetStateTo("recovered"));
        shopify.stubFor(listQuery().inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okJson(page(List.of(subscription("ORDERS_CREATE", ORDERS)), null))));

        CliRun.Result result = webhooks("list");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(cli.waits).containsExactly(Duration.ofSeconds(1));
        assertThat(result.err()).contains("INTERNAL_SERVER_ERROR", "request id 3f6c1b8e-5a2d-4c1e-9b7a-0d4e2f6a8c1b",
                "waiting 1.0 s, then attempt 2 of 5");
        assertThat(result.out()).contains("1 webhook subscription (Admin API 2026-10)");
    }

    @Test
    void register_shouldGiveUp_andSayWhy_whenShopifyKeepsThrottling() {
        shopify.stubFor(listQuery().willReturn(okJson(throttled(202, 0, 100))));

        CliRun.Result result = webhooks("register", "--base-url", BASE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(cli.waits).hasSize(AdminGraphql.MAX_ATTEMPTS - 1);
        assertThat(result.err()).contains("listing webhook subscriptions failed: Shopify throttled the request",
                "5 times in a row", "wait a minute and run the command again");
        assertThat(requests(CREATE)).isEmpty();
    }

    /** A stack deployed before OrderFlowCustomerTopics existed: its URLs from the outputs, no customer topics. */
    @Test
    void register_shouldTakeTheStacksUrls_fromItsOutputs() {
        stubStack(null);
        stubList(List.of());
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--stack", "shopsync", "--endpoint-url", shopify.baseUrl());

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(requests(CREATE)).extracting(body -> body.path("variables").path("topic").asText() + " "
                + body.path("variables").path("webhookSubscription").path("uri").asText())
                .containsExactlyInAnyOrderElementsOf(wantedPairs());
    }

    /** A stack deployed with OrderFlowCustomerTopics=true takes customers/* on the orders route: register them too. */
    @Test
    void register_shouldAlsoSubscribeTheCustomerTopics_whenTheStackTakesThem() {
        stubStack("true");
        stubList(List.of());
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--stack", "shopsync", "--endpoint-url", shopify.baseUrl());

        assertThat(result.exitCode()).as(result.all()).isZero();
        List<String> wanted = new ArrayList<>(wantedPairs());
        wanted.addAll(List.of("CUSTOMERS_CREATE " + ORDERS, "CUSTOMERS_UPDATE " + ORDERS));
        assertThat(requests(CREATE)).extracting(body -> body.path("variables").path("topic").asText() + " "
                + body.path("variables").path("webhookSubscription").path("uri").asText())
                .containsExactlyInAnyOrderElementsOf(wanted).hasSize(14);
        assertThat(result.out()).containsPattern("created +customers/update +" + ORDERS)
                .contains("14 subscriptions wanted", "created 14, kept 0, extra 0");
    }

    @Test
    void register_shouldLeaveTheCustomerTopicsOut_whenTheStackDoesNotTakeThem() {
        stubStack("false");
        stubList(List.of());
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--stack", "shopsync", "--endpoint-url", shopify.baseUrl());

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(requests(CREATE)).hasSize(12).noneMatch(body -> body.path("variables").path("topic").asText()
                .startsWith("CUSTOMERS_"));
    }

    /** Its order flow would dead-letter every customers/* delivery: register refuses and says how to turn them on. */
    @Test
    void register_shouldRefuseTheCustomerTopics_whenTheStackWasDeployedWithoutThem() {
        stubStack("false");
        stubList(List.of());
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--stack", "shopsync", "--endpoint-url", shopify.baseUrl(),
                "--customer-topics");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("stack shopsync was deployed with OrderFlowCustomerTopics=false",
                "Deploy it with OrderFlowCustomerTopics=true first, or drop --customer-topics");
        assertThat(requests(CREATE)).isEmpty();
    }

    /** With --base-url there is no stack to ask: --customer-topics says the order flow takes customers/*. */
    @Test
    void register_shouldSubscribeTheCustomerTopics_whenToldSo_withABaseUrl() {
        stubList(List.of(subscription("CUSTOMERS_CREATE", ORDERS)));
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--base-url", BASE, "--customer-topics");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(requests(CREATE)).extracting(body -> body.path("variables").path("topic").asText())
                .contains("CUSTOMERS_UPDATE").doesNotContain("CUSTOMERS_CREATE").hasSize(13);
        assertThat(result.out()).containsPattern("kept +customers/create +" + ORDERS)
                .contains("created 13, kept 1, extra 0");
    }

    /** A stack deployed with OrderFlowConsentTopics=true takes Shopify's two consent topics on the order route. */
    @Test
    void register_shouldSubscribeTheConsentTopics_whenTheStackTakesThem() {
        stubStack("false", "true");
        stubList(List.of());
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--stack", "shopsync", "--endpoint-url", shopify.baseUrl());

        assertThat(result.exitCode()).as(result.all()).isZero();
        List<String> wanted = new ArrayList<>(wantedPairs());
        wanted.addAll(List.of("CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE " + ORDERS,
                "CUSTOMERS_MARKETING_CONSENT_UPDATE " + ORDERS));
        assertThat(requests(CREATE)).extracting(body -> body.path("variables").path("topic").asText() + " "
                + body.path("variables").path("webhookSubscription").path("uri").asText())
                .containsExactlyInAnyOrderElementsOf(wanted).hasSize(14);
        assertThat(result.out()).containsPattern("created +customers_email_marketing_consent/update +" + ORDERS)
                .contains("created 14, kept 0, extra 0");
    }

    /** Its order flow would dead-letter every consent delivery: register refuses and says how to turn them on. */
    @Test
    void register_shouldRefuseTheConsentTopics_whenTheStackWasDeployedWithoutThem() {
        stubStack("false", "false");
        stubList(List.of());
        stubCreatesSucceed();

        CliRun.Result result = webhooks("register", "--stack", "shopsync", "--endpoint-url", shopify.baseUrl(),
                "--consent-topics");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("stack shopsync was deployed with OrderFlowConsentTopics=false",
                "Deploy it with OrderFlowConsentTopics=true first, or drop --consent-topics");
        assertThat(requests(CREATE)).isEmpty();
    }

    /** DescribeStacks of a stack named shopsync; {@code customerTopics} null: a stack without that parameter. */
    private void stubStack(String customerTopics) {
        stubStack(customerTopics, null);
    }

    /** The same, with the stack's OrderFlowConsentTopics too ({@code consentTopics} null: without it). */
    private void stubStack(String customerTopics, String consentTopics) {
        String parameters = customerTopics == null ? "" : """
                <Parameters>
                  <member><ParameterKey>CrmTargets</ParameterKey><ParameterValue>hubspot</ParameterValue></member>
                  <member><ParameterKey>OrderFlowCustomerTopics</ParameterKey><ParameterValue>%s</ParameterValue></member>
                  %s
                </Parameters>""".formatted(customerTopics, consentTopics == null ? "" : """
                <member><ParameterKey>OrderFlowConsentTopics</ParameterKey><ParameterValue>%s</ParameterValue></member>"""
                .formatted(consentTopics));
        shopify.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                        <DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
                          <DescribeStacksResult><Stacks><member>
                            <StackName>shopsync</StackName><StackStatus>UPDATE_COMPLETE</StackStatus>
                            <CreationTime>2026-11-27T10:00:00Z</CreationTime>
                            %s
                            <Outputs>
                              <member><OutputKey>OrderWebhookUrl</OutputKey><OutputValue>%s</OutputValue></member>
                              <member><OutputKey>InventoryWebhookUrl</OutputKey><OutputValue>%s</OutputValue></member>
                              <member><OutputKey>FulfilmentWebhookUrl</OutputKey><OutputValue>%s</OutputValue></member>
                            </Outputs>
                          </member></Stacks></DescribeStacksResult>
                          <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
                        </DescribeStacksResponse>""".formatted(parameters, ORDERS, INVENTORY, FULFILMENTS))));
    }

    @Test
    void register_shouldAskWhichStack_whenNeitherStackNorBaseUrlIsGiven() {
        CliRun.Result result = webhooks("register");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("which stack?", "--stack NAME", "--base-url");
    }

    // --- delete --------------------------------------------------------------------------------------

    @Test
    void delete_shouldDeleteEverySubscriptionDeliveringToTheStack_andNoOther() {
        stubList(List.of(subscription("ORDERS_CREATE", ORDERS), subscription("CUSTOMERS_CREATE", ORDERS + "/"),
                subscription("FULFILLMENTS_CREATE", FULFILMENTS),
                subscription("ORDERS_CREATE", "https://old-stack.example.com/webhooks/orders")));
        shopify.stubFor(deleteMutation().willReturn(okJson("""
                {"data":{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":"gid://shopify/WebhookSubscription/1",
                 "userErrors":[]}}}""")));

        CliRun.Result result = webhooks("delete", "--base-url", BASE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(requests(DELETE)).extracting(body -> body.path("variables").path("id").asText()).containsExactly(
                "gid://shopify/WebhookSubscription/1000", "gid://shopify/WebhookSubscription/1001",
                "gid://shopify/WebhookSubscription/1002");
        assertThat(result.out()).contains("3 of 4 subscriptions deliver to the stack", "deleted 3")
                .containsPattern("deleted +fulfillments/create +" + FULFILMENTS + " +id 1002");
    }

    @Test
    void delete_shouldDeleteTheSubscriptionsGivenById_andSayWhichIdsDoNotExist() {
        stubList(List.of(subscription("ORDERS_CREATE", "https://old-stack.example.com/webhooks/orders"),
                subscription("PRODUCTS_UPDATE", "https://pim.example.com/shopify")));
        shopify.stubFor(deleteMutation().willReturn(okJson("""
                {"data":{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":"gid://shopify/WebhookSubscription/1000",
                 "userErrors":[]}}}""")));

        CliRun.Result deleted = webhooks("delete", "--id", "1000");
        CliRun.Result unknown = webhooks("delete", "--id", "4242");

        assertThat(deleted.exitCode()).as(deleted.all()).isZero();
        assertThat(requests(DELETE)).extracting(body -> body.path("variables").path("id").asText())
                .containsExactly("gid://shopify/WebhookSubscription/1000");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no subscription with id 4242", "nothing was deleted", "webhooks list");
    }

    @Test
    void delete_shouldFail_withShopifysUserErrors() {
        stubList(List.of(subscription("ORDERS_CREATE", ORDERS)));
        shopify.stubFor(deleteMutation().willReturn(okJson("""
                {"data":{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":null,
                 "userErrors":[{"field":["id"],"message":"Webhook subscription does not exist"}]}}}""")));

        CliRun.Result result = webhooks("delete", "--base-url", BASE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("1 subscription(s) not deleted: 1000: id: Webhook subscription does not exist");
    }

    // --- errors --------------------------------------------------------------------------------------

    @Test
    void webhooks_shouldSayHowToGiveAToken_whenNoneIsSet() {
        cli = new CliRun(Map.of(), Duration.ZERO);

        CliRun.Result result = webhooks("list");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("no Admin API token", "SHOPIFY_ADMIN_TOKEN", "my-store.myshopify.com",
                "SHOPIFY_CLIENT_ID", "SHOPIFY_CLIENT_SECRET");
        assertThat(shopify.getAllServeEvents()).isEmpty();
    }

    /** A Dev Dashboard app (2026): the CLI obtains the token with the app's client credentials, from the shop. */
    @Test
    void webhooks_shouldObtainATokenWithTheClientCredentials_whenNoTokenIsSet() {
        cli = new CliRun(Map.of("SHOPIFY_CLIENT_ID", CLIENT_ID, "SHOPIFY_CLIENT_SECRET", CLIENT_SECRET), Duration.ZERO);
        shopify.stubFor(post(urlEqualTo("/admin/oauth/access_token")).willReturn(okJson(
                "{\"access_token\":\"" + GRANTED + "\",\"scope\":\"read_orders,read_inventory\",\"expires_in\":86399}")));
        stubList(List.of(subscription("ORDERS_CREATE", ORDERS)));

        CliRun.Result result = webhooks("list");

        assertThat(result.exitCode()).as(result.all()).isZero();
        shopify.verify(1, postRequestedFor(urlEqualTo("/admin/oauth/access_token"))
                .withRequestBody(containing("grant_type=client_credentials"))
                .withRequestBody(containing("client_id=" + CLIENT_ID)));
        shopify.verify(postRequestedFor(urlEqualTo(PATH)).withHeader("X-Shopify-Access-Token", equalTo(GRANTED)));
        assertThat(result.all()).doesNotContain(GRANTED, CLIENT_SECRET);
    }

    @Test
    void webhooks_shouldSayTheClientCredentialsWereRefused_withoutPrintingThem() {
        cli = new CliRun(Map.of("SHOPIFY_CLIENT_ID", CLIENT_ID, "SHOPIFY_CLIENT_SECRET", CLIENT_SECRET), Duration.ZERO);
        shopify.stubFor(post(urlEqualTo("/admin/oauth/access_token")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed due to "
                        + "unknown client, no client authentication included, or unsupported authentication method.\"}")));

        CliRun.Result result = webhooks("list");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("invalid_client", "my-store.myshopify.com", "client id and secret");
        assertThat(result.all()).doesNotContain(CLIENT_SECRET);
        shopify.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void webhooks_shouldSayTheTokenWasRejected_withoutPrintingIt_whenShopifyAnswers401() {
        shopify.stubFor(listQuery().willReturn(aResponse().withStatus(401)
                .withBody("{\"errors\":\"[API] Invalid API key or access token (unrecognized login or wrong password)\"}")));

        CliRun.Result result = webhooks("list");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("rejected the Admin API token (401)", "SHOPIFY_ADMIN_TOKEN");
        assertThat(result.all()).doesNotContain(TOKEN);
    }

    @Test
    void webhooks_shouldNameTheMissingScopes_whenShopifyDeniesAccess() {
        shopify.stubFor(listQuery().willReturn(okJson("""
                {"errors":[{"message":"Access denied for webhookSubscriptions field.",
                  "extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes"}}]}""")));

        CliRun.Result result = webhooks("list");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("Shopify said: Access denied for webhookSubscriptions field.",
                "read_orders, read_inventory, read_fulfillments");
    }
}
