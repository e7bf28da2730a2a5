package io.shopsync.webhook;

import software.amazon.awssdk.core.exception.SdkException;
import io.shopsync.aws.AwsCallFailure;
import io.shopsync.aws.SecretValues;

/** Reads the signing secrets from one AWS Secrets Manager secret (name or ARN). */
public final class SecretsManagerSigningSecrets implements SigningSecretsSource {

    private final SecretValues client;
    private final String secretId;

    public SecretsManagerSigningSecrets(SecretValues client, String secretId) {
        this.client = client;
        this.secretId = secretId;
    }

    @Override
    public SigningSecrets load() {
        String value;
        try {
            value = client.secretString(secretId);
        } catch (SdkException e) {
            throw new SecretsUnavailableException("cannot read Secrets Manager secret " + secretId
                    + " (" + AwsCallFailure.name(e) + "): check that it exists in this region and that the"
                    + " function's role may call secretsmanager:GetSecretValue on it", e);
        }
        try {
            return SigningSecrets.parse(value, "Secrets Manager secret " + secretId);
        } catch (IllegalArgumentException e) {
            throw new SecretsUnavailableException(e.getMessage(), e);
        }
    }
}
