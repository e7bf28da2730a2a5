package io.shopsync.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * SQS FIFO queues in memory, for unit tests, with the rules real SQS applies to {@code SendMessage}:
 * a FIFO queue requires a {@code MessageGroupId}, and a {@code MessageDeduplicationId} (these queues
 * have content-based deduplication off, as template.yaml sets them); both are 1-128 characters of
 * alphanumerics and punctuation. A message whose deduplication id the same queue accepted less than
 * five minutes earlier (by the clock) is answered with success and never delivered, as SQS does.
 * Queues are named by their URL; a URL ending in {@code .fifo} is a FIFO queue.
 */
public final class InMemorySqs implements SqsClient {

    /** SQS's deduplication interval. */
    public static final Duration DEDUPLICATION_INTERVAL = Duration.ofMinutes(5);

    /** A message as it is stored on a queue. */
    public record Stored(String messageId, String body, String groupId, String deduplicationId,
                         Map<String, MessageAttributeValue> attributes, Instant sentAt) {}

    private final Clock clock;
    private final Map<String, List<Stored>> queues = new HashMap<>();
    private final Map<String, Map<String, Instant>> firstAccepted = new HashMap<>();

    public InMemorySqs(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized SendMessageResponse sendMessage(SendMessageRequest request) {
        String url = request.queueUrl();
        if (url == null || url.isEmpty()) {
            throw error("MissingParameter", "The request must contain the parameter QueueUrl.");
        }
        refuseTextSqsRefuses(request.messageBody());
        String messageId = UUID.randomUUID().toString();
        Instant now = clock.instant();
        if (url.endsWith(".fifo")) {
            if (request.messageGroupId() == null) {
                throw error("MissingParameter", "The request must contain the parameter MessageGroupId.");
            }
            checkId("MessageGroupId", request.messageGroupId());
            if (request.messageDeduplicationId() == null) {
                throw error("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled"
                        + " or MessageDeduplicationId provided explicitly");
            }
            checkId("MessageDeduplicationId", request.messageDeduplicationId());
            Map<String, Instant> seen = firstAccepted.computeIfAbsent(url, u -> new HashMap<>());
            Instant first = seen.get(request.messageDeduplicationId());
            if (first != null && now.isBefore(first.plus(DEDUPLICATION_INTERVAL))) {
                return SendMessageResponse.builder().messageId(messageId).build(); // accepted, not delivered
            }
            seen.put(request.messageDeduplicationId(), now);
        }
        queues.computeIfAbsent(url, u -> new ArrayList<>()).add(new Stored(messageId, request.messageBody(),
                request.messageGroupId(), request.messageDeduplicationId(),
                new LinkedHashMap<>(request.messageAttributes()), now));
        return SendMessageResponse.builder().messageId(messageId).build();
    }

    /** What the queue holds, oldest first. */
    public synchronized List<Stored> messages(String queueUrl) {
        return List.copyOf(queues.getOrDefault(queueUrl, List.of()));
    }

    /** SQS's rule for message text: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
    private static void refuseTextSqsRefuses(String message) {
        for (int i = 0; i < message.length(); ) {
            int c = message.codePointAt(i);
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
            if (!allowed) {
                throw error("InvalidMessageContents", "Invalid binary character '#x"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "' was found in the message body, the"
                        + " set of allowed characters is #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF");
            }
            i += Character.charCount(c);
        }
    }

    private static void checkId(String name, String value) {
        if (value.isEmpty() || value.length() > 128 || !value.chars().allMatch(c -> c > 32 && c < 127)) {
            throw error("InvalidParameterValue", "Value " + value + " for parameter " + name
                    + " is invalid. Reason: " + name + " can only include alphanumeric and punctuation characters."
                    + " 1 to 128 in length.");
        }
    }

    private static SqsException error(String code, String message) {
        return (SqsException) SqsException.builder().statusCode(400).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message)
                        .serviceName("Sqs").build()).build();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
