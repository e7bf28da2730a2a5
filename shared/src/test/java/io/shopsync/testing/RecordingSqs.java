package io.shopsync.testing;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/** An SQS client that keeps every message sent, exactly as the SDK would send it, and sends nothing. */
public final class RecordingSqs implements SqsClient {

    public final List<SendMessageRequest> sent = new ArrayList<>();

    @Override
    public synchronized SendMessageResponse sendMessage(SendMessageRequest request) {
        sent.add(request);
        return SendMessageResponse.builder().messageId("m-" + sent.size()).build();
    }

    @Override
    public ChangeMessageVisibilityResponse changeMessageVisibility(ChangeMessageVisibilityRequest request) {
        return ChangeMessageVisibilityResponse.builder().build();
    }

    /** The messages sent to the queue with this URL. */
    public synchronized List<SendMessageRequest> sentTo(String queueUrl) {
        return sent.stream().filter(r -> r.queueUrl().equals(queueUrl)).toList();
    }

    @Override
    public String serviceName() {
        return "sqs";
    }

    @Override
    public void close() {}
}
