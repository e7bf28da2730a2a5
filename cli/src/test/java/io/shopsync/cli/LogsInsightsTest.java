package io.shopsync.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The Logs Insights search against a stand-in that answers as CloudWatch Logs does (JSON 1.1 over POST /, the
 * operation in X-Amz-Target), including what the test backend (moto 5.2.1) never answers: a query that stays
 * Scheduled or Running, ends Failed, Cancelled or Timeout, and AccessDeniedException.
 */
class LogsInsightsTest {

    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String ENTITY = SHOP + "/order/820982911946154508";
    private static final String GROUP = "/aws/lambda/shopsync-order-to-crm";
    private static final String QUERY_ID = "12ab3456-12ab-123a-789e-1234567890ab";
    private static final Instant NOW = Instant.parse("2026-12-03T17:40:05.250Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Intake's line for a webhook refused 401, as the order flow writes it (WebhookIntake, Telemetry). */
    private static final String REFUSED_LINE = """
            {"_aws":{"Timestamp":1796319601123,"CloudWatchMetrics":[{"Namespace":"Shopsync","Dimensions":[["flow"]],\
            "Metrics":[{"Name":"WebhooksReceived","Unit":"Count"},{"Name":"WebhooksUnauthenticated","Unit":"Count"},\
            {"Name":"IntakeLatency","Unit":"Milliseconds"}]}]},"flow":"order-to-crm","message":"webhook intake",\
            "via":"https","shop":"shopsync-demo.myshopify.com","topic":"orders/updated",\
            "webhookId":"ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2","eventId":"6f0f1a2b-3c4d-5e6f-8a9b-0c1d2e3f4a5b",\
            "bodyBytes":11807,"outcome":"unauthenticated","reason":"signature-mismatch",\
            "entity":"shopsync-demo.myshopify.com/order/820982911946154508",\
            "triggeredAt":"2026-11-27T14:42:19.506183927Z","WebhooksReceived":1,"WebhooksUnauthenticated":1,\
            "IntakeLatency":3.1}""";

    private final WireMockServer logs = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    private final List<Duration> waits = new ArrayList<>();
    private final StringWriter err = new StringWriter();
    private LogsInsights insights;
    private AwsClients aws;

    @BeforeEach
    void start() {
        logs.start();
        CliContext context = new CliContext(Map.of(), StaticCredentialsProvider.create(AwsBasicCredentials.create("test",
                "test")), waits::add);
        AwsOptions options = new AwsOptions();
        options.endpointUrl = logs.baseUrl();
        options.region = "us-east-1";
        aws = AwsClients.of(options, context);
        insights = new LogsInsights(context, Clock.fixed(NOW, ZoneOffset.UTC));
        insights.logGroups = List.of(GROUP, "/aws/lambda/shopsync-fulfilment-to-crm");
        insights.waitSeconds = 60;
        answer("StartQuery", 200, "{\"queryId\": \"" + QUERY_ID + "\"}");
    }

    @AfterEach
    void stop() {
        aws.close();
        logs.stop();
    }

    @Test
    void aQueryThatRunsAWhile_isPolled_withProgressOnStderr_andItsIntakeRefusalsRead() throws Exception {
        String scenario = "query";
        logs.stubFor(post(urlEqualTo("/")).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .withHeader("X-Amz-Target", equalTo("Logs_20140328.GetQueryResults"))
                .willReturn(json(200, results("Scheduled", ""))).willSetStateTo("running"));
        logs.stubFor(post(urlEqualTo("/")).inScenario(scenario).whenScenarioStateIs("running")
                .withHeader("X-Amz-Target", equalTo("Logs_20140328.GetQueryResults"))
                .willReturn(json(200, results("Running", ""))).willSetStateTo("done"));
        logs.stubFor(post(urlEqualTo("/")).inScenario(scenario).whenScenarioStateIs("done")
                .withHeader("X-Amz-Target", equalTo("Logs_20140328.GetQueryResults"))
                .withRequestBody(matchingJsonPath("$.queryId", equalTo(QUERY_ID)))
                .willReturn(json(200, results("Complete", row(REFUSED_LINE)
                        + ", " + row("{\"time\":\"2026-12-03T17:40:01.000Z\",\"type\":\"platform.start\"}")))));

        LogsInsights.Search search = search();

        assertThat(search.problem()).isNull();
        assertThat(search.status()).isEqualTo("Complete");
        assertThat(waits).containsExactly(LogsInsights.POLL, LogsInsights.POLL);
        assertThat(err.toString()).contains("Logs Insights query Scheduled (0 s of at most 60 s)",
                "Logs Insights query Running (1 s of at most 60 s)");
        assertThat(search.refusals()).singleElement().satisfies(refusal -> {
            assertThat(refusal.at()).isEqualTo(Instant.ofEpochMilli(1796319601123L));
            assertThat(refusal.logGroup()).isEqualTo(GROUP);
            assertThat(refusal.httpStatus()).isEqualTo(401);
            assertThat(refusal.topic()).isEqualTo("orders/updated");
            assertThat(refusal.webhookId()).isEqualTo("ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2");
            assertThat(refusal.nextStep()).contains("docs/operations.md#unauthenticated-webhooks");
        });
        // What was asked: both groups, the records' 72 h up to now (whole seconds, rounded up), this entity's refusals.
        JsonNode start = startQuery();
        assertThat(start.path("logGroupNames").toString())
                .isEqualTo("[\"" + GROUP + "\",\"/aws/lambda/shopsync-fulfilment-to-crm\"]");
        assertThat(start.path("endTime").asLong()).isEqualTo(NOW.getEpochSecond() + 1);
        assertThat(start.path("endTime").asLong() - start.path("startTime").asLong()).isEqualTo(72 * 3600);
        assertThat(start.path("queryString").asText()).isEqualTo("""
                fields @timestamp, @log, @message
                | filter message = "webhook intake" and outcome != "enqueued" and shop = "shopsync-demo.myshopify.com" \
                and entity = "shopsync-demo.myshopify.com/order/820982911946154508"
                | sort @timestamp desc
                | limit 100""");
        assertThat(LogsInsights.text(search, Duration.ofHours(72))).contains(
                "  2026-12-03T17:40:01.123Z  orders/updated  webhook ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2  triggered "
                        + "2026-11-27T14:42:19.506183927Z  (order-to-crm, https)\n"
                        + "      401 unauthenticated: signature-mismatch\n      next: the signature matched none");
    }

    @Test
    void aQueryLogsInsightsEndsFailed_CancelledOrTimeout_isReportedAsNotRead_withWhatToDo() {
        for (String status : List.of("Failed", "Cancelled", "Timeout")) {
            logs.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("Logs_20140328.GetQueryResults"))
                    .willReturn(json(200, results(status, ""))));

            LogsInsights.Search search = search();

            assertThat(search.status()).isEqualTo(status);
            assertThat(search.refusals()).isEmpty();
            assertThat(search.problem()).startsWith("Logs Insights query " + QUERY_ID + " ended " + status + ": ")
                    .contains("the logs were not read: trace again");
            assertThat(LogsInsights.text(search, Duration.ofHours(72)))
                    .contains("Refused at intake (the flows' logs): Logs Insights query " + QUERY_ID + " ended " + status);
        }
    }

    @Test
    void anIdentityWithoutLogsStartQuery_getsAClearLine_andNoQueryIsPolled() {
        answer("StartQuery", 400, """
                {"__type": "AccessDeniedException", "message": "User: arn:aws:sts::123456789012:assumed-role/operator/ops \
                is not authorized to perform: logs:StartQuery on resource: arn:aws:logs:us-east-1:123456789012:log-group:\
                /aws/lambda/shopsync-order-to-crm:* because no identity-based policy allows the logs:StartQuery action"}""");

        LogsInsights.Search search = search();

        assertThat(search.status()).isNull();
        assertThat(search.problem()).isEqualTo("not searched: your AWS identity may not run Logs Insights queries "
                + "(logs:StartQuery) on " + GROUP + ", /aws/lambda/shopsync-fulfilment-to-crm: grant it logs:StartQuery, "
                + "logs:GetQueryResults and logs:StopQuery on the flows' log groups, or pass --no-logs");
        logs.verify(0, postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("Logs_20140328.GetQueryResults")));
        assertThat(LogsInsights.json(search, JSON).path("searched").asBoolean()).isFalse();
    }

    @Test
    void anIdentityWithoutLogsGetQueryResults_isNamedToo() {
        answer("GetQueryResults", 400, """
                {"__type": "AccessDeniedException", "message": "User: arn:aws:sts::123456789012:assumed-role/operator/ops \
                is not authorized to perform: logs:GetQueryResults"}""");

        assertThat(search().problem()).contains("(logs:GetQueryResults)", "or pass --no-logs");
    }

    @Test
    void aQueryStillRunningWhenTheWaitIsOver_isStopped_andTheTraceGoesOnWithoutTheLogs() {
        insights.waitSeconds = 3;
        answer("GetQueryResults", 200, results("Running", ""));
        answer("StopQuery", 200, "{\"success\": true}");

        LogsInsights.Search search = search();

        assertThat(waits).hasSize(3);
        assertThat(search.status()).isEqualTo("Running");
        assertThat(search.problem()).startsWith("the log search was still Running after 3 s (--logs-wait)");
        logs.verify(1, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("Logs_20140328.StopQuery"))
                .withRequestBody(matchingJsonPath("$.queryId", equalTo(QUERY_ID))));
    }

    @Test
    void aLogGroupThatDoesNotExist_isNamed() {
        answer("StartQuery", 400, "{\"__type\": \"ResourceNotFoundException\", \"message\": \"Log group "
                + "'/aws/lambda/shopsync-order-to-crm' does not exist for account ID '123456789012'\"}");

        assertThat(search().problem()).startsWith("not searched: a log group does not exist at " + logs.baseUrl())
                .contains("--log-group");
    }

    @Test
    void withoutAStackOrLogGroups_nothingIsAsked_andTheLineSaysWhatToGive() {
        insights.logGroups = List.of();

        LogsInsights.Search search = search();

        assertThat(search.problem()).isEqualTo("not searched: give --stack NAME, or --log-group /aws/lambda/<stack>-<flow> "
                + "for each flow (or --no-logs)");
        assertThat(logs.getAllServeEvents()).isEmpty();
    }

    private LogsInsights.Search search() {
        return insights.search(aws, new FlowQueues(), new AwsOptions(), new PrintWriter(err, true), SHOP, "entity",
                ENTITY, Duration.ofHours(72));
    }

    private JsonNode startQuery() throws Exception {
        List<LoggedRequest> starts = logs.findAll(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("Logs_20140328.StartQuery")));
        assertThat(starts).hasSize(1);
        assertThat(starts.get(0).getHeader("Content-Type")).startsWith("application/x-amz-json-1.1");
        return JSON.readTree(starts.get(0).getBodyAsString());
    }

    private void answer(String operation, int status, String body) {
        logs.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("Logs_20140328." + operation))
                .willReturn(json(status, body)));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-RequestId", "3c6b9d1e-5a4f-4e2b-9c8d-7f6e5d4c3b2a").withBody(body);
    }

    /** GetQueryResults' answer: the rows so far, the statistics, the status. */
    private static String results(String status, String rows) {
        return "{\"results\": [" + rows + "], \"statistics\": {\"recordsMatched\": 1.0, \"recordsScanned\": 2040.0, "
                + "\"bytesScanned\": 1532400.0}, \"status\": \"" + status + "\"}";
    }

    private static String row(String message) {
        try {
            return "[{\"field\": \"@timestamp\", \"value\": \"2026-12-03 17:40:01.123\"}, {\"field\": \"@log\", \"value\": "
                    + "\"123456789012:" + GROUP + "\"}, {\"field\": \"@message\", \"value\": "
                    + JSON.writeValueAsString(message) + "}, {\"field\": \"@ptr\", \"value\": "
                    + "\"CmAKJwojMTIzNDU2Nzg5MDEyOi9hd3MvbGFtYmRhL3Nob3BzeW5jEAEaNQIB\"}]";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
