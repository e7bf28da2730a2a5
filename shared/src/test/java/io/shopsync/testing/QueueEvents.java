package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/** Lambda SQS events carrying envelopes, as the FIFO queue would hand them to a flow's function. */
public final class QueueEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private QueueEvents() {}

    public static String of(List<Envelope> envelopes, int receiveCount) {
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Envelope envelope : envelopes) {
            ObjectNode record = records.addObject();
            String id = UUID.randomUUID().toString();
            record.put("messageId", id);
            record.put("receiptHandle", "AQEB" + id);
            record.put("body", codec.encode(envelope));
            record.putObject("attributes").put("ApproximateReceiveCount", Integer.toString(receiveCount))
                    .put("MessageGroupId", envelope.entity());
            record.putObject("messageAttributes");
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:shopsync-" + envelope.flow() + ".fifo");
        }
        try {
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String of(Envelope... envelopes) {
        return of(List.of(envelopes), 1);
    }
}
