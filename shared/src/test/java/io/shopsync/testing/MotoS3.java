package io.shopsync.testing;

import io.shopsync.queue.S3Objects;
import io.shopsync.testkit.AwsClients;
import java.time.Clock;
import java.util.function.Supplier;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/** The functions' S3 access ({@link S3Objects}: signed requests, not the SDK's S3 client) at the test backend. */
public final class MotoS3 {

    private MotoS3() {}

    public static Supplier<S3Objects> of(AwsClients aws) {
        S3Objects objects = new S3Objects(UrlConnectionHttpClient.create(), aws.credentials(), aws.region().id(),
                aws.endpoint(), Clock.systemUTC());
        return () -> objects;
    }
}
