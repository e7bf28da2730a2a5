package io.shopsync.http;

import io.shopsync.delivery.DeliveryOutcome;
import java.net.http.HttpHeaders;
import java.time.Instant;
import java.util.Optional;

/**
 * A target's HTTP answer, classified the same way for every connector.
 *
 * <p>A failure's {@code reason} holds only what may leave the function (the request, the status, the
 * answer's {@link ErrorCodes}); its {@code answer} is the body as the target sent it, which may echo
 * personal data and credentials: a connector reads codes and hints from it, and never quotes it.
 */
public sealed interface TargetResponse {

    /** 2xx: the connector reads the body (which may still carry per-item errors, as HubSpot's 207 does). */
    record Success(int status, String body, HttpHeaders headers) implements TargetResponse {}

    /** 408, 409, 423, 425, 429, 477, 5xx, a timeout or a broken connection: worth retrying, not before {@code notBefore}. */
    record Transient(String reason, Optional<Instant> notBefore, String answer) implements TargetResponse {
        public Transient {
            answer = answer == null ? "" : answer;
        }

        /** A failure of our own making (a client-side limit, an unreadable 2xx), with no answer to read. */
        public Transient(String reason, Optional<Instant> notBefore) {
            this(reason, notBefore, "");
        }

        public DeliveryOutcome.RetryLater outcome() {
            return new DeliveryOutcome.RetryLater(reason, notBefore);
        }

        /** Without the answer: it may hold personal data. */
        @Override
        public String toString() {
            return "Transient[reason=" + reason + ", notBefore=" + notBefore + "]";
        }
    }

    /** Any other 4xx (and 3xx): the same request will fail again. */
    record Permanent(int status, String reason, String answer) implements TargetResponse {
        public Permanent {
            answer = answer == null ? "" : answer;
        }

        /** A refusal restated by a connector, with no answer of the target to read. */
        public Permanent(int status, String reason) {
            this(status, reason, "");
        }

        public String category() {
            return "http-" + status;
        }

        public DeliveryOutcome.PermanentFailure outcome() {
            return new DeliveryOutcome.PermanentFailure(reason, category());
        }

        /** Without the answer: it may hold personal data. */
        @Override
        public String toString() {
            return "Permanent[status=" + status + ", reason=" + reason + "]";
        }
    }
}
