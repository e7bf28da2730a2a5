package io.shopsync.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * Secrets Manager GetSecretValue as a signed request (AWS JSON 1.1), not the SDK's Secrets Manager client, whose
 * module was 0.6 MB of every function jar for this one call (docs/performance.md, "Jar size"). Secrets Manager's
 * error ({@code __type}: ResourceNotFoundException, AccessDeniedException ...) becomes {@link AwsCallFailure};
 * 5xx and ThrottlingException are retried. The secret's value is never put in an error.
 */
public final class SignedSecretsManager implements SecretValues {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SignedPost post;

    /** @param endpoint a Secrets Manager-compatible endpoint (moto, LocalStack); null for AWS's regional endpoint */
    public SignedSecretsManager(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint,
                                Clock clock) {
        this.post = new SignedPost(http, credentials, region, endpoint, clock, "secretsmanager", "Secrets Manager");
    }

    @Override
    public String secretString(String secretId) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(JSON.createObjectNode().put("SecretId", secretId));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a GetSecretValue request", e);
        }
        byte[] answer = post.send("GetSecretValue", secretId, "application/x-amz-json-1.1",
                "secretsmanager.GetSecretValue", body, SignedSecretsManager::refusal,
                "check the secret exists in this region under that name or ARN, and that it is not scheduled for deletion");
        JsonNode value;
        try {
            value = JSON.readTree(answer).path("SecretString");
        } catch (IOException e) {
            throw SdkClientException.builder().message("Secrets Manager GetSecretValue " + secretId
                    + " answered 2xx with JSON that cannot be read").cause(e).build();
        }
        if (!value.isTextual()) {
            throw SdkClientException.builder().message("Secrets Manager secret " + secretId
                    + " has no SecretString (a binary secret?): store the value as a string").build();
        }
        return value.asText();
    }

    /** {@code {"__type":"ResourceNotFoundException","message":"..."}} (the type may carry a namespace before #). */
    private static SignedPost.Refusal refusal(byte[] answer) {
        try {
            JsonNode error = JSON.readTree(answer);
            String type = error.path("__type").asText("");
            String code = type.substring(type.indexOf('#') + 1);
            String message = error.hasNonNull("message") ? error.get("message").asText()
                    : error.path("Message").asText("");
            return new SignedPost.Refusal(code, message, null);
        } catch (IOException e) {
            return new SignedPost.Refusal(null, "an answer that is not Secrets Manager's error", null);
        }
    }
}
