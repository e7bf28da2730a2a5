package io.shopsync.testing;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.lambda.LambdaEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Lambda SQS events carrying envelopes, as the FIFO queue would hand them to a flow's function. */
public final class QueueEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Written as Lambda's wire JSON by the mapper FlowFunction binds with. */
    private static final LambdaEvents EVENTS = new LambdaEvents(JSON);

    private QueueEvents() {}

    public static String of(List<Envelope> envelopes, int receiveCount) {
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Envelope envelope : envelopes) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            String id = UUID.randomUUID().toString();
            record.setMessageId(id);
            record.setReceiptHandle("AQEB" + id);
            record.setBody(codec.encode(envelope));
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("ApproximateReceiveCount", Integer.toString(receiveCount));
            attributes.put("MessageGroupId", envelope.entity());
            record.setAttributes(attributes);
            record.setMessageAttributes(Map.of());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn("arn:aws:sqs:us-east-1:123456789012:shopsync-" + envelope.flow() + ".fifo");
            record.setAwsRegion("us-east-1");
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        try {
            return new String(EVENTS.write(event), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String of(Envelope... envelopes) {
        return of(List.of(envelopes), 1);
    }
}
