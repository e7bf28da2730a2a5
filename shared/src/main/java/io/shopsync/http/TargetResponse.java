package io.shopsync.http;

import io.shopsync.delivery.DeliveryOutcome;
import java.net.http.HttpHeaders;
import java.time.Instant;
import java.util.Optional;

/** A target's HTTP answer, classified the same way for every connector. */
public sealed interface TargetResponse {

    /** 2xx: the connector reads the body (which may still carry per-item errors, as HubSpot's 207 does). */
    record Success(int status, String body, HttpHeaders headers) implements TargetResponse {}

    /** 408, 409, 423, 425, 429, 477, 5xx, a timeout or a broken connection: worth retrying, not before {@code notBefore}. */
    record Transient(String reason, Optional<Instant> notBefore) implements TargetResponse {
        public DeliveryOutcome.RetryLater outcome() {
            return new DeliveryOutcome.RetryLater(reason, notBefore);
        }
    }

    /** Any other 4xx (and 3xx): the same request will fail again. */
    record Permanent(int status, String reason) implements TargetResponse {
        public String category() {
            return "http-" + status;
        }

        public DeliveryOutcome.PermanentFailure outcome() {
            return new DeliveryOutcome.PermanentFailure(reason, category());
        }
    }
}
