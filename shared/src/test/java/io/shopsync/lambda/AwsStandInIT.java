package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The priming stand-in answers what the services answer: each request of Shopsync's hot paths is sent once to the
 * AWS-compatible endpoint and once, through identically configured SDK clients, to {@link AwsStandIn}, and both
 * answers must parse (the SDK checks SQS's MD5s and DynamoDB's CRC32) into responses with the same fields set.
 */
@ExtendWith(AwsBackend.class)
class AwsStandInIT {

    private final AwsClients aws;
    private final AwsStandIn standIn = new AwsStandIn("priming-secret");

    AwsStandInIT(AwsClients aws) {
        this.aws = aws;
    }

    /** The fields an answer sets: what a caller of the SDK can read from it. */
    private static Set<String> fieldsSet(SdkPojo response) {
        Set<String> set = new TreeSet<>();
        for (SdkField<?> field : response.sdkFields()) {
            Object value = field.getValueOrDefault(response);
            if (value != null && !(value instanceof SdkAutoConstructList) && !(value instanceof SdkAutoConstructMap)) {
                set.add(field.memberName());
            }
        }
        return set;
    }

    private <C, R extends SdkPojo> void sameAnswer(Function<SdkHttpClient, C> client, Function<C, R> request) {
        R real = request.apply(client.apply(UrlConnectionHttpClient.create()));
        R primed = request.apply(client.apply(standIn));
        Set<String> expected = fieldsSet(real);
        // moto adds ConsumedCapacity and ItemCollectionMetrics to DynamoDB answers unasked; DynamoDB returns them
        // only when the request sets ReturnConsumedCapacity or ReturnItemCollectionMetrics (API reference), which
        // none of Shopsync's requests do.
        if (real.getClass().getPackageName().endsWith("dynamodb.model")) {
            expected.remove("ConsumedCapacity");
            expected.remove("ItemCollectionMetrics");
        }
        assertThat(fieldsSet(primed)).as(real.getClass().getSimpleName()).isEqualTo(expected);
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>> B over(B builder, SdkHttpClient http) {
        return builder.endpointOverride(aws.endpoint()).region(aws.region()).credentialsProvider(aws.credentials())
                .httpClient(http);
    }

    @Test
    void sqs_sendAndDelayARetry_answerAsSqsDoes() {
        AwsClients.FifoQueues queues = aws.createFifoQueues("standin", 4);
        Map<String, MessageAttributeValue> attributes = Map.of(
                "flow", MessageAttributeValue.builder().dataType("String").stringValue("order-to-crm").build(),
                "shop", MessageAttributeValue.builder().dataType("String").stringValue("shopsync-demo.myshopify.com").build(),
                "topic", MessageAttributeValue.builder().dataType("String").stringValue("orders/create").build());
        sameAnswer(http -> over(SqsClient.builder(), http).build(), sqs -> sqs.sendMessage(r -> r
                .queueUrl(queues.workQueueUrl()).messageBody("{\"v\":1,\"topic\":\"orders/create\",\"body\":\"é\"}")
                .messageGroupId("shopsync-demo.myshopify.com/order/820982911946154508")
                .messageDeduplicationId(UUID.randomUUID().toString()).messageAttributes(attributes)));
        String receipt = aws.sqs().receiveMessage(r -> r.queueUrl(queues.workQueueUrl())).messages().get(0).receiptHandle();
        sameAnswer(http -> over(SqsClient.builder(), http).build(), sqs -> sqs.changeMessageVisibility(r -> r
                .queueUrl(queues.workQueueUrl()).receiptHandle(receipt).visibilityTimeout(10)));
    }

    @Test
    void dynamoDb_aNewDeliverysRequests_answerAsDynamoDbDoesOnAnEmptyTable() {
        String table = aws.createTable("standin");
        Function<SdkHttpClient, DynamoDbClient> client = http -> over(DynamoDbClient.builder(), http).build();
        AttributeValue now = AttributeValue.fromN("1796320000");
        // Each request on its own new key, so the real table is as empty for it as the stand-in is.
        sameAnswer(client, dynamo -> dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("watermark#" + UUID.randomUUID())))));
        sameAnswer(client, dynamo -> dynamo.updateItem(r -> r.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("delivery#" + UUID.randomUUID())))
                .updateExpression("SET attempts = if_not_exists(attempts, :zero), claimedAt = :now")
                .conditionExpression("attribute_not_exists(pk) OR expiresAt < :now")
                .expressionAttributeValues(Map.of(":zero", AttributeValue.fromN("0"), ":now", now))
                .returnValues(ReturnValue.ALL_OLD)));
        sameAnswer(client, dynamo -> dynamo.putItem(r -> r.tableName(table)
                .item(Map.of("pk", AttributeValue.fromS("watermark#" + UUID.randomUUID()), "version", AttributeValue.fromS("1")))
                .conditionExpression("attribute_not_exists(pk) OR version < :version")
                .expressionAttributeValues(Map.of(":version", AttributeValue.fromS("1")))));
        sameAnswer(client, dynamo -> dynamo.transactWriteItems(r -> r.transactItems(TransactWriteItem.builder()
                .update(Update.builder().tableName(table).key(Map.of("pk", AttributeValue.fromS("delivery#" + UUID.randomUUID())))
                        .updateExpression("SET claimedAt = :now").expressionAttributeValues(Map.of(":now", now))
                        .conditionExpression("attribute_not_exists(pk)").build()).build())));
        sameAnswer(client, dynamo -> dynamo.query(r -> r.tableName(table).indexName("entity-index")
                .keyConditionExpression("entity = :entity")
                .expressionAttributeValues(Map.of(":entity", AttributeValue.fromS("order#" + UUID.randomUUID())))));
    }

    @Test
    void secretsManager_getSecretValue_answersAsSecretsManagerDoes() {
        String name = "shopsync/standin-" + UUID.randomUUID();
        aws.secretsManager().createSecret(r -> r.name(name).secretString("shopsync-local-dev-secret"));
        sameAnswer(http -> over(SecretsManagerClient.builder(), http).build(), sm -> sm.getSecretValue(r -> r.secretId(name)));
    }

    @Test
    void sns_publishAnAlert_answersAsSnsDoes() {
        String topic = aws.createTopicWithProbe("standin").topicArn();
        sameAnswer(http -> over(SnsClient.builder(), http).build(), sns -> sns.publish(r -> r.topicArn(topic)
                .subject("Shopsync order-to-crm: dead-lettered").message("order 820982911946154508 dead-lettered")
                .messageAttributes(Map.of("flow", software.amazon.awssdk.services.sns.model.MessageAttributeValue.builder()
                        .dataType("String").stringValue("order-to-crm").build()))));
    }

    @Test
    void s3_claimCheckPutAndGet_answerAsS3Does_andGiveTheSameBytesBack() {
        String bucket = aws.createBucket("standin");
        String key = "order-to-crm/2026-12-03/shopsync-demo.myshopify.com/" + UUID.randomUUID() + ".json";
        byte[] body = "{\"id\":820982911946154508,\"note\":\"é\"}".getBytes(StandardCharsets.UTF_8);
        Function<SdkHttpClient, S3Client> client = http -> over(S3Client.builder(), http).forcePathStyle(true).build();
        sameAnswer(client, s3 -> s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/json")
                .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromBytes(body)));
        sameAnswer(client, s3 -> s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).response());
        assertThat(client.apply(standIn).getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray()).isEqualTo(body);
    }
}
