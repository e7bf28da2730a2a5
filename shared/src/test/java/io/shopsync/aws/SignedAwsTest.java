package io.shopsync.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * SignedSns and SignedSecretsManager against a local stand-in answering as SNS (query protocol, XML ErrorResponse)
 * and Secrets Manager (JSON 1.1, {@code __type}) answer, including their refusals and throttling. SignedAwsIT sends the
 * same requests to the test backend.
 */
class SignedAwsTest {

    private static final StaticCredentialsProvider EXAMPLE_KEYS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:shopsync-alerts";
    private static final String SECRET = "shopsync/hubspot-token";
    private static final String SNS_NS = "http://sns.amazonaws.com/doc/2010-03-31/";

    private final WireMockServer aws = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));

    private SignedSns sns() {
        aws.start();
        return new SignedSns(UrlConnectionHttpClient.create(), EXAMPLE_KEYS, "us-east-1", URI.create(aws.baseUrl()),
                Clock.systemUTC());
    }

    private SignedSecretsManager secrets() {
        aws.start();
        return new SignedSecretsManager(UrlConnectionHttpClient.create(), EXAMPLE_KEYS, "us-east-1",
                URI.create(aws.baseUrl()), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        aws.stop();
    }

    private static String snsError(String type, String code, String message, String requestId) {
        return "<ErrorResponse xmlns=\"" + SNS_NS + "\"><Error><Type>" + type + "</Type><Code>" + code + "</Code><Message>"
                + message + "</Message></Error><RequestId>" + requestId + "</RequestId></ErrorResponse>";
    }

    private static final String PUBLISHED = "<PublishResponse xmlns=\"" + SNS_NS + "\"><PublishResult><MessageId>"
            + "94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>"
            + "f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>";

    @Test
    void publish_sendsTheQueryFormSignedForSns_andReturnsTheMessageId() {
        SignedSns sns = sns();
        aws.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                .withBody(PUBLISHED)));

        String id = sns.publish(TOPIC, "Shopsync: hubspot failing (http-401)", "Rotate the token & redrive: 100% sure",
                Map.of("flow", "order-to-crm", "target", "hubspot", "category", "http-401"));

        assertThat(id).isEqualTo("94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
        aws.verify(1, postRequestedFor(urlEqualTo("/"))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                .withHeader("Authorization", matching("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/\\d{8}/us-east-1/sns/aws4_request, .*"))
                .withRequestBody(equalTo("Action=Publish&Version=2010-03-31"
                        + "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Ashopsync-alerts"
                        + "&Subject=Shopsync%3A%20hubspot%20failing%20%28http-401%29"
                        + "&Message=Rotate%20the%20token%20%26%20redrive%3A%20100%25%20sure"
                        + "&MessageAttributes.entry.1.Name=category&MessageAttributes.entry.1.Value.DataType=String"
                        + "&MessageAttributes.entry.1.Value.StringValue=http-401"
                        + "&MessageAttributes.entry.2.Name=flow&MessageAttributes.entry.2.Value.DataType=String"
                        + "&MessageAttributes.entry.2.Value.StringValue=order-to-crm"
                        + "&MessageAttributes.entry.3.Name=target&MessageAttributes.entry.3.Value.DataType=String"
                        + "&MessageAttributes.entry.3.Value.StringValue=hubspot")));
    }

    @Test
    void publish_throwsAuthorizationError_withSnsCodeRequestIdAndWhatToCheck_withoutRetrying() {
        SignedSns sns = sns();
        aws.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(403).withHeader("Content-Type", "text/xml")
                .withBody(snsError("Sender", "AuthorizationError", "User: arn:aws:sts::123456789012:assumed-role/"
                        + "order-to-crm-role/order-to-crm is not authorized to perform: SNS:Publish on resource: " + TOPIC,
                        "9a1c3e59-5f7c-5b1e-8f5d-1e2d3c4b5a69"))));

        assertThatThrownBy(() -> sns.publish(TOPIC, "s", "m", Map.of()))
                .isInstanceOf(SdkServiceException.class)
                .isInstanceOfSatisfying(AwsCallFailure.class, f -> {
                    assertThat(f.code()).isEqualTo("AuthorizationError");
                    assertThat(f.statusCode()).isEqualTo(403);
                    assertThat(f.requestId()).isEqualTo("9a1c3e59-5f7c-5b1e-8f5d-1e2d3c4b5a69");
                    assertThat(f.operation()).isEqualTo("Publish");
                    assertThat(f.isThrottlingException()).isFalse();
                })
                .hasMessageContaining("SNS Publish " + TOPIC + " answered 403 AuthorizationError")
                .hasMessageContaining("check the function's role and credentials may call sns:Publish");
        aws.verify(1, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void publish_retriesThrottling_andSucceeds() {
        SignedSns sns = sns();
        aws.stubFor(post(urlEqualTo("/")).inScenario("throttled").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml")
                        .withBody(snsError("Sender", "Throttling", "Rate exceeded", "r-1")))
                .willSetStateTo("calm"));
        aws.stubFor(post(urlEqualTo("/")).inScenario("throttled").whenScenarioStateIs("calm")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(PUBLISHED)));

        assertThat(sns.publish(TOPIC, "s", "m", Map.of())).isEqualTo("94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
        aws.verify(2, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void publish_givesUpAfterThreeInternalErrors_sayingSo() {
        SignedSns sns = sns();
        aws.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(500).withHeader("Content-Type", "text/xml")
                .withBody(snsError("Receiver", "InternalError", "An internal service error has occurred.", "r-500"))));

        assertThatThrownBy(() -> sns.publish(TOPIC, "s", "m", Map.of()))
                .isInstanceOfSatisfying(AwsCallFailure.class, f -> {
                    assertThat(f.code()).isEqualTo("InternalError");
                    assertThat(f.statusCode()).isEqualTo(500);
                })
                .hasMessageContaining("tried 3 times");
        aws.verify(SignedPost.ATTEMPTS, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void secretString_sendsGetSecretValueAsJson11_andReturnsTheSecretString() {
        SignedSecretsManager secrets = secrets();
        aws.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:shopsync/hubspot-token-a1b2c3\","
                        + "\"CreatedDate\":1.523477145713E9,\"Name\":\"shopsync/hubspot-token\","
                        + "\"SecretString\":\"pat-na1-0000\",\"VersionId\":\"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1\","
                        + "\"VersionStages\":[\"AWSCURRENT\"]}")));

        assertThat(secrets.secretString(SECRET)).isEqualTo("pat-na1-0000");
        aws.verify(1, postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withHeader("Content-Type", equalTo("application/x-amz-json-1.1"))
                .withHeader("Authorization", matching(".*/us-east-1/secretsmanager/aws4_request, .*"))
                .withRequestBody(equalTo("{\"SecretId\":\"shopsync/hubspot-token\"}")));
    }

    @Test
    void secretString_throwsResourceNotFound_namingTheSecretAndWhatToCheck() {
        SignedSecretsManager secrets = secrets();
        aws.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-RequestId", "0c7a2f3e-1111-4b4b-9c9c-2d2d2d2d2d2d")
                .withBody("{\"__type\":\"ResourceNotFoundException\",\"Message\":\"Secrets Manager can't find the specified secret.\"}")));

        assertThatThrownBy(() -> secrets.secretString(SECRET))
                .isInstanceOfSatisfying(AwsCallFailure.class, f -> {
                    assertThat(f.code()).isEqualTo("ResourceNotFoundException");
                    assertThat(f.requestId()).isEqualTo("0c7a2f3e-1111-4b4b-9c9c-2d2d2d2d2d2d");
                    assertThat(f.statusCode()).isEqualTo(400);
                })
                .hasMessageContaining("Secrets Manager GetSecretValue shopsync/hubspot-token answered 400 ResourceNotFoundException")
                .hasMessageContaining("check the secret exists in this region");
        aws.verify(1, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void secretString_throwsAccessDenied_sayingWhichPermission() {
        SignedSecretsManager secrets = secrets();
        aws.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"AccessDeniedException\",\"Message\":\"User: arn:aws:sts::123456789012:assumed-role/"
                        + "order-to-crm-role/order-to-crm is not authorized to perform: secretsmanager:GetSecretValue\"}")));

        assertThatThrownBy(() -> secrets.secretString(SECRET))
                .isInstanceOfSatisfying(AwsCallFailure.class, f -> assertThat(f.code()).isEqualTo("AccessDeniedException"))
                .hasMessageContaining("may call secretsmanager:GetSecretValue");
        aws.verify(1, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void secretString_retriesThrottlingException_andSucceeds() {
        SignedSecretsManager secrets = secrets();
        aws.stubFor(post(urlEqualTo("/")).inScenario("throttled").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"))
                .willSetStateTo("calm"));
        aws.stubFor(post(urlEqualTo("/")).inScenario("throttled").whenScenarioStateIs("calm")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Name\":\"shopsync/hubspot-token\",\"SecretString\":\"pat-na1-0000\"}")));

        assertThat(secrets.secretString(SECRET)).isEqualTo("pat-na1-0000");
        aws.verify(2, postRequestedFor(urlEqualTo("/")));
    }
}
