package io.shopsync.testing;

import io.shopsync.aws.SecretValues;
import io.shopsync.aws.SignedSecretsManager;
import io.shopsync.aws.SignedSns;
import io.shopsync.aws.SnsPublish;
import io.shopsync.testkit.AwsClients;
import java.time.Clock;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * The functions' SNS Publish and Secrets Manager GetSecretValue ({@link SignedSns}, {@link SignedSecretsManager}:
 * signed requests, not the SDK's clients) at the test backend, as {@link MotoS3} is for S3.
 */
public final class MotoSignedAws {

    private MotoSignedAws() {}

    public static SnsPublish sns(AwsClients aws) {
        return new SignedSns(UrlConnectionHttpClient.create(), aws.credentials(), aws.region().id(), aws.endpoint(),
                Clock.systemUTC());
    }

    public static SecretValues secrets(AwsClients aws) {
        return new SignedSecretsManager(UrlConnectionHttpClient.create(), aws.credentials(), aws.region().id(),
                aws.endpoint(), Clock.systemUTC());
    }
}
