package io.shopsync.queue;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * S3Objects' signing against AWS's published example, and S3's refusals as S3 sends them (error XML documents from
 * the S3 API reference), answered by a local stand-in. S3ObjectsIT runs the operations against the test backend.
 */
class S3ObjectsTest {

    private static final StaticCredentialsProvider EXAMPLE_KEYS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

    private final WireMockServer s3 = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));

    private S3Objects objects() {
        s3.start();
        return new S3Objects(UrlConnectionHttpClient.create(), EXAMPLE_KEYS, "us-east-1", URI.create(s3.baseUrl()),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        s3.stop();
    }

    @Test
    void sign_producesAwsPublishedSignature_forTheGetObjectExample() {
        // given the example of "Signature Calculations for the Authorization Header" in the S3 API reference
        S3Objects signer = new S3Objects(UrlConnectionHttpClient.create(), EXAMPLE_KEYS, "us-east-1", null,
                Clock.fixed(Instant.parse("2013-05-24T00:00:00Z"), ZoneOffset.UTC));
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET)
                .uri(URI.create("https://examplebucket.s3.amazonaws.com/test.txt"))
                .putHeader("Range", "bytes=0-9")
                .putHeader("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .build();

        // when it is signed
        String authorization = signer.sign(request, null).request().firstMatchingHeader("Authorization").orElseThrow();

        // then the signature is the one AWS publishes (the SDK puts a space after each comma; S3 accepts both)
        assertThat(authorization).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void encodePath_keepsSlashesAndUnreserved_andEncodesEverythingElseAsS3Canonicalises() {
        assertThat(S3Objects.encodePath("order-to-crm/2026/11/27/shop.myshopify.com/a b+c~d_é.json"))
                .isEqualTo("order-to-crm/2026/11/27/shop.myshopify.com/a%20b%2Bc~d_%C3%A9.json");
    }

    @Test
    void get_throwsAccessDenied_withS3sCodeRequestIdAndWhatToCheck() {
        S3Objects objects = objects();
        s3.stubFor(get(urlEqualTo("/claims/order-to-crm/x.json")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/xml").withHeader("x-amz-request-id", "4442587FB7D0A2F9")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                        + "<Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId>"
                        + "<HostId>aGVsbG8=</HostId></Error>")));

        assertThatThrownBy(() -> objects.get("claims", "order-to-crm/x.json"))
                .isInstanceOfSatisfying(S3Failure.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("AccessDenied");
                    assertThat(e.requestId()).isEqualTo("4442587FB7D0A2F9");
                    assertThat(e.noSuchKey()).isFalse();
                })
                .hasMessage("S3 GetObject s3://claims/order-to-crm/x.json answered 403 AccessDenied (Access Denied),"
                        + " request id 4442587FB7D0A2F9: check the function's role may use this key (template.yaml,"
                        + " the flow's prefix) and its credentials");
        s3.verify(1, getRequestedFor(urlEqualTo("/claims/order-to-crm/x.json")));
    }

    @Test
    void put_retriesA503SlowDown_andSucceedsWhenS3Recovers() {
        S3Objects objects = objects();
        String path = "/claims/order-to-crm/big.json";
        s3.stubFor(put(urlEqualTo(path)).inScenario("slow").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("<Error><Code>SlowDown</Code>"
                        + "<Message>Please reduce your request rate.</Message><RequestId>1</RequestId></Error>"))
                .willSetStateTo("recovered"));
        s3.stubFor(put(urlEqualTo(path)).inScenario("slow").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withHeader("x-amz-server-side-encryption", "AES256")));

        objects.put("claims", "order-to-crm/big.json", "{\"id\":1}".getBytes(StandardCharsets.UTF_8), "application/json");

        s3.verify(2, putRequestedFor(urlEqualTo(path))
                .withHeader("x-amz-server-side-encryption", equalTo("AES256"))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.matching(
                        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/\\d{8}/us-east-1/s3/aws4_request,.*"))
                .withRequestBody(equalTo("{\"id\":1}")));
    }

    @Test
    void get_throwsTheLast5xx_afterEveryAttempt() {
        S3Objects objects = objects();
        s3.stubFor(get(urlPathEqualTo("/claims/k.json")).willReturn(aResponse().withStatus(500).withBody(
                "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>"
                        + "<RequestId>EF1EF43A74415102</RequestId></Error>")));

        assertThatThrownBy(() -> objects.get("claims", "k.json"))
                .isInstanceOfSatisfying(S3Failure.class, e -> assertThat(e.code()).isEqualTo("InternalError"))
                .hasMessageContaining("answered 500 InternalError").hasMessageContaining("S3 is failing; retried");
        s3.verify(S3Objects.ATTEMPTS, getRequestedFor(urlPathEqualTo("/claims/k.json")));
    }

    @Test
    void list_readsKeysAndTheContinuationToken_fromS3sListBucketResult() {
        S3Objects objects = objects();
        s3.stubFor(get(urlEqualTo("/claims?list-type=2")).willReturn(aResponse().withStatus(200).withBody("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>claims</Name><Prefix></Prefix>
                <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
                <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
                <Contents><Key>order-to-crm/a.json</Key><Size>10</Size></Contents>
                <Contents><Key>order-to-crm/b.json</Key><Size>12</Size></Contents></ListBucketResult>""")));
        s3.stubFor(get(urlPathEqualTo("/claims")).withQueryParam("list-type", equalTo("2"))
                .withQueryParam("continuation-token", equalTo("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="))
                .willReturn(aResponse().withStatus(200).withBody("""
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>claims</Name>
                <KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>
                <Contents><Key>stock-to-inventory/c.json</Key></Contents></ListBucketResult>""")));

        S3Objects.Page first = objects.list("claims", null);
        S3Objects.Page second = objects.list("claims", first.nextContinuationToken().orElseThrow());

        assertThat(first.keys()).containsExactly("order-to-crm/a.json", "order-to-crm/b.json");
        assertThat(second.keys()).containsExactly("stock-to-inventory/c.json");
        assertThat(second.nextContinuationToken()).isEmpty();
    }
}
