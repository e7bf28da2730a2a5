package io.shopsync.aws;

import java.util.Map;

/** SNS Publish, the one SNS call the functions make (alerts, privacy data-request reports). */
@FunctionalInterface
public interface SnsPublish {

    /**
     * Publishes {@code message} to {@code topicArn}; {@code attributes} become String message attributes (subscription
     * filter policies can match them). Returns SNS's message id.
     */
    String publish(String topicArn, String subject, String message, Map<String, String> attributes);
}
