package io.shopsync.local;

import io.shopsync.http.HttpTransport;
import java.io.IOException;
import java.net.http.HttpRequest;

/**
 * One flow's connectors' transport in dry run: each request is recorded in the shared {@link Outbox}
 * under the flow's name and answered by the outbox's responder for its host; nothing is sent.
 */
final class OutboxTransport implements HttpTransport {

    private final Outbox outbox;
    private final String flow;

    OutboxTransport(Outbox outbox, String flow) {
        this.outbox = outbox;
        this.flow = flow;
    }

    @Override
    public Answer exchange(HttpRequest request) throws IOException {
        return outbox.exchange(flow, request);
    }
}
