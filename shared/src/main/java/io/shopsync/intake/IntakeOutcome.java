package io.shopsync.intake;

import io.shopsync.envelope.Envelope;

/** What intake did with one request. Each outcome has exactly one HTTP answer. */
public sealed interface IntakeOutcome {

    HttpResponse response();

    /** Authentic, accepted and stored on the work queue. */
    record Enqueued(Envelope envelope) implements IntakeOutcome {
        public HttpResponse response() {
            return HttpResponse.json(200, "{\"status\":\"accepted\"}");
        }
    }

    /**
     * Authentic but unprocessable: stored on the dead-letter queue. 200, so Shopify does not resend the same bytes.
     *
     * @param entity the entity the body names, as its dead letter and log line carry it; null when it names none
     */
    record DeadLettered(Envelope envelope, String reason, String entity) implements IntakeOutcome {
        public HttpResponse response() {
            return HttpResponse.json(200, "{\"status\":\"accepted\"}");
        }
    }

    /** Not provably from Shopify (or from a shop not on the allow-list). No details in the answer. */
    record Unauthenticated(String reason) implements IntakeOutcome {
        public HttpResponse response() {
            return HttpResponse.json(401, "{\"message\":\"Unauthorized\"}");
        }
    }

    /** Our own failure: nothing was stored, so Shopify must retry. */
    record Failed(String reason) implements IntakeOutcome {
        public HttpResponse response() {
            return HttpResponse.json(503, "{\"message\":\"Service Unavailable\"}");
        }
    }
}
