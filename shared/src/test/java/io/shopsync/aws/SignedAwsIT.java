package io.shopsync.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.testing.MotoSignedAws;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/** SignedSns and SignedSecretsManager against the test backend: what they send arrives as the SDK's clients' did. */
@ExtendWith(AwsBackend.class)
class SignedAwsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void publish_arrivesAtTheTopicsSubscriber_withSubjectMessageAndAttributes(AwsClients aws) throws Exception {
        AwsClients.TopicProbe topic = aws.createTopicWithProbe("shopsync-signed-sns-it");
        String message = "Shopsync order-to-crm: 3 deliveries to hubspot dead-lettered (http-401).\n"
                + "What to do: rotate the HubSpot token & redrive (scripts/shopsync dlq redrive order-to-crm) é ✓";

        String messageId = MotoSignedAws.sns(aws).publish(topic.topicArn(), "Shopsync: hubspot failing (http-401)",
                message, Map.of("flow", "order-to-crm", "target", "hubspot", "category", "http-401"));

        List<Message> received = aws.drain(topic.queueUrl());
        assertThat(received).hasSize(1);
        JsonNode notification = JSON.readTree(received.get(0).body());
        assertThat(notification.path("MessageId").asText()).isEqualTo(messageId);
        assertThat(notification.path("TopicArn").asText()).isEqualTo(topic.topicArn());
        assertThat(notification.path("Subject").asText()).isEqualTo("Shopsync: hubspot failing (http-401)");
        assertThat(notification.path("Message").asText()).isEqualTo(message);
        JsonNode attributes = notification.path("MessageAttributes");
        assertThat(attributes.path("flow").path("Type").asText()).isEqualTo("String");
        assertThat(attributes.path("flow").path("Value").asText()).isEqualTo("order-to-crm");
        assertThat(attributes.path("target").path("Value").asText()).isEqualTo("hubspot");
        assertThat(attributes.path("category").path("Value").asText()).isEqualTo("http-401");
    }

    @Test
    void publish_toATopicThatDoesNotExist_failsWithSnsCode(AwsClients aws) {
        String missing = "arn:aws:sns:us-east-1:123456789012:shopsync-missing-" + UUID.randomUUID();

        assertThatThrownBy(() -> MotoSignedAws.sns(aws).publish(missing, "s", "m", Map.of()))
                .isInstanceOfSatisfying(AwsCallFailure.class, f -> assertThat(f.code()).isEqualTo("NotFound"))
                .hasMessageContaining("SNS Publish " + missing)
                .hasMessageContaining("check ALERTS_TOPIC_ARN");
    }

    @Test
    void secretString_readsTheSecret_byNameAndByArn(AwsClients aws) {
        String name = "shopsync/signed-" + UUID.randomUUID();
        String arn = aws.secretsManager().createSecret(r -> r.name(name).secretString("pat-na1-signed-it")).arn();

        assertThat(MotoSignedAws.secrets(aws).secretString(name)).isEqualTo("pat-na1-signed-it");
        assertThat(MotoSignedAws.secrets(aws).secretString(arn)).isEqualTo("pat-na1-signed-it");
    }

    @Test
    void secretString_ofAMissingSecret_failsWithResourceNotFound_namingIt(AwsClients aws) {
        String name = "shopsync/missing-" + UUID.randomUUID();

        assertThatThrownBy(() -> MotoSignedAws.secrets(aws).secretString(name))
                // AWS answers 400, moto 404: the code is what both agree on
                .isInstanceOfSatisfying(AwsCallFailure.class, f -> assertThat(f.code()).isEqualTo("ResourceNotFoundException"))
                .hasMessageContaining("Secrets Manager GetSecretValue " + name + " answered ")
                .hasMessageContaining("ResourceNotFoundException")
                .hasMessageContaining("check the secret exists in this region");
    }
}
