package io.shopsync.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.testing.MotoS3;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** S3Objects' four operations against the test backend, read back and checked with the SDK's own S3 client. */
@ExtendWith(AwsBackend.class)
class S3ObjectsIT {

    private final AwsClients aws;
    private final String bucket;
    private final S3Objects objects;

    S3ObjectsIT(AwsClients aws) {
        this.aws = aws;
        this.bucket = aws.createBucket("shopsync-s3objects-it");
        this.objects = MotoS3.of(aws).get();
    }

    @Test
    void put_storesTheBytesEncrypted_underAKeyThatNeedsEncoding_andGetReadsThemBack() {
        byte[] body = Fixtures.bytes("events/payloads/orders-create.json");
        String key = "order-to-crm/2026/11/27/shopsync-demo.myshopify.com/a b+c~é.json";

        objects.put(bucket, key, body, "application/json");

        HeadObjectResponse head = aws.s3().headObject(r -> r.bucket(bucket).key(key));
        assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        assertThat(head.contentType()).isEqualTo("application/json");
        assertThat(aws.s3().getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray()).isEqualTo(body);
        assertThat(objects.get(bucket, key)).isEqualTo(body);
    }

    @Test
    void listAndDelete_seeEveryKey_andGetOfADeletedKeyIsNoSuchKey() {
        for (String name : List.of("a", "b", "c")) {
            objects.put(bucket, "fulfilment-to-crm/2026/11/27/shop/" + name + ".json", new byte[] {'{', '}'}, "application/json");
        }

        List<String> keys = new ArrayList<>();
        Optional<String> token = Optional.empty();
        do {
            S3Objects.Page page = objects.list(bucket, token.orElse(null));
            keys.addAll(page.keys());
            token = page.nextContinuationToken();
        } while (token.isPresent());
        objects.delete(bucket, "fulfilment-to-crm/2026/11/27/shop/b.json");

        assertThat(keys).contains("fulfilment-to-crm/2026/11/27/shop/a.json", "fulfilment-to-crm/2026/11/27/shop/b.json",
                "fulfilment-to-crm/2026/11/27/shop/c.json");
        assertThat(objects.list(bucket, null).keys()).doesNotContain("fulfilment-to-crm/2026/11/27/shop/b.json")
                .contains("fulfilment-to-crm/2026/11/27/shop/a.json");
        assertThatThrownBy(() -> objects.get(bucket, "fulfilment-to-crm/2026/11/27/shop/b.json"))
                .isInstanceOfSatisfying(S3Failure.class, e -> {
                    assertThat(e.noSuchKey()).isTrue();
                    assertThat(e.statusCode()).isEqualTo(404);
                })
                .hasMessageContaining("S3 GetObject s3://" + bucket + "/fulfilment-to-crm/2026/11/27/shop/b.json answered 404 NoSuchKey")
                .hasMessageContaining("the object is gone");
    }

    @Test
    void put_toABucketThatDoesNotExist_isNoSuchBucket_withWhatToCheck() {
        assertThatThrownBy(() -> objects.put(bucket + "-gone", "order-to-crm/x.json", new byte[] {'{', '}'}, "application/json"))
                .isInstanceOfSatisfying(S3Failure.class, e -> assertThat(e.code()).isEqualTo("NoSuchBucket"))
                .hasMessageContaining("check CLAIM_CHECK_BUCKET");
    }
}
