package io.shopsync.aws;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * One AWS service's POST to {@code /}, signed by the SDK's SigV4 signer over the functions' one {@link SdkHttpClient}
 * (as {@code queue.S3Objects} does for S3). A 5xx, a throttling answer or a lost connection is tried up to
 * {@value #ATTEMPTS} times, as the SDK's clients did; any other refusal is thrown at once.
 */
final class SignedPost {

    static final int ATTEMPTS = 3;

    /** A service's error answer, read by the service's own protocol. */
    record Refusal(String code, String message, String requestId) {}

    interface ErrorReader {
        Refusal read(byte[] answer);
    }

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final URI endpoint;
    private final Clock clock;
    private final String service;
    private final String displayName;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /** @param endpoint an AWS-compatible endpoint (moto, LocalStack); null for the service's regional endpoint */
    SignedPost(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint, Clock clock,
               String service, String displayName) {
        this.http = http;
        this.credentials = credentials;
        this.region = region;
        this.endpoint = endpoint;
        this.clock = clock;
        this.service = service;
        this.displayName = displayName;
    }

    /** Sends {@code body} until it is answered 2xx; {@code subject} names what it is about in errors. */
    byte[] send(String operation, String subject, String contentType, String target, byte[] body, ErrorReader errors,
                String nextStep) {
        URI base = endpoint != null ? endpoint
                : URI.create("https://" + service + "." + region + "." + (region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"));
        String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create(base.getScheme() + "://" + base.getRawAuthority() + path))
                .putHeader("Content-Type", contentType)
                .putHeader("Content-Length", Integer.toString(body.length));
        if (target != null) {
            request.putHeader("X-Amz-Target", target);
        }
        String what = displayName + " " + operation + " " + subject;
        IOException lastIo = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            SignedRequest signed = sign(request.build(), body);
            try {
                HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                        .contentStreamProvider(signed.payload().orElse(null)).build()).call();
                int status = response.httpResponse().statusCode();
                byte[] answer = AwsAnswers.read(response);
                if (status / 100 == 2) {
                    return answer;
                }
                String headerId = response.httpResponse().firstMatchingHeader("x-amzn-RequestId")
                        .or(() -> response.httpResponse().firstMatchingHeader("x-amz-request-id")).orElse(null);
                Refusal refusal = answer.length == 0 ? null : errors.read(answer);
                String code = refusal == null || refusal.code() == null || refusal.code().isEmpty()
                        ? "HTTP " + status : refusal.code();
                String message = refusal == null || refusal.message() == null ? "" : refusal.message();
                String requestId = refusal != null && refusal.requestId() != null && !refusal.requestId().isEmpty()
                        ? refusal.requestId() : headerId;
                boolean retried = status >= 500 || AwsCallFailure.throttling(status, code);
                AwsCallFailure failure = new AwsCallFailure(what + " answered " + status + " " + code
                        + (message.isEmpty() ? "" : " (" + message + ")")
                        + (requestId == null ? "" : ", request id " + requestId) + ": "
                        + (retried ? displayName + " is failing or throttling; tried " + attempt + " times, retry later"
                        : status == 403 || code.contains("AccessDenied") || code.contains("Authorization")
                        ? "check the function's role and credentials may call " + service + ":" + operation + " on it"
                        : nextStep), service, operation, status, code, requestId);
                if (!retried || attempt == ATTEMPTS) {
                    throw failure;
                }
            } catch (IOException e) {
                lastIo = e;
            }
            if (attempt < ATTEMPTS) {
                AwsAnswers.pause(attempt);
            }
        }
        throw SdkClientException.builder().message(what + " got no answer in " + ATTEMPTS + " attempts (" + lastIo
                + "): check the function can reach " + displayName + " (VPC endpoint or NAT) and retry")
                .cause(lastIo).build();
    }

    SignedRequest sign(SdkHttpFullRequest request, byte[] body) {
        return signer.sign(r -> r.identity(credentials.resolveCredentials()).request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    }
}
