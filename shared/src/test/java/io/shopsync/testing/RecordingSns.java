package io.shopsync.testing;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sns.model.PublishResponse;

/** An SNS client that keeps every publish request, exactly as the SDK would send it, and sends nothing. */
public final class RecordingSns implements SnsClient {

    public final List<PublishRequest> published = new ArrayList<>();

    @Override
    public synchronized PublishResponse publish(PublishRequest request) {
        published.add(request);
        return PublishResponse.builder().messageId("alert-" + published.size()).build();
    }

    @Override
    public String serviceName() {
        return "sns";
    }

    @Override
    public void close() {}
}
