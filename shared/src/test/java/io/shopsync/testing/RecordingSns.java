package io.shopsync.testing;

import io.shopsync.aws.SnsPublish;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An SNS publisher that keeps every publish, exactly as the function asks for it, and sends nothing. */
public final class RecordingSns implements SnsPublish {

    /** One Publish: topic, subject, message and String message attributes. */
    public record Published(String topicArn, String subject, String message, Map<String, String> attributes) {}

    public final List<Published> published = new ArrayList<>();

    @Override
    public synchronized String publish(String topicArn, String subject, String message, Map<String, String> attributes) {
        published.add(new Published(topicArn, subject, message, Map.copyOf(attributes)));
        return "alert-" + published.size();
    }
}
