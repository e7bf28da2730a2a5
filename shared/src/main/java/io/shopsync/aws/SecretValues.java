package io.shopsync.aws;

/** Secrets Manager GetSecretValue, the one Secrets Manager call the functions make. */
@FunctionalInterface
public interface SecretValues {

    /** The current SecretString of {@code secretId} (a name or an ARN). */
    String secretString(String secretId);
}
