package io.shopsync.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one HTTP client every connector sends through, so they all classify answers alike: 2xx
 * success; 408, 409, 423, 425, 429, 477, 5xx, timeouts and broken connections transient (honouring Retry-After);
 * any other status permanent. Failure reasons name the target, the request and the status, with the
 * answer's {@link ErrorCodes} (codes, field names, request ids) and never its text: targets echo the
 * names, addresses, phones and credentials they were sent, and reasons reach DLQ attributes, logs and
 * alerts. The answer itself travels beside the reason, for the connector to read.
 *
 * <p>Built on the JDK's HttpClient: no extra dependency, no extra classes at cold start.
 */
public final class TargetHttp {

    private final String target;
    private final HttpTransport transport;
    private final Duration requestTimeout;
    private final Clock clock;

    public TargetHttp(String target, HttpTransport transport, Duration requestTimeout, Clock clock) {
        this.target = target;
        this.transport = transport;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
    }

    /** A real client with a connect timeout, for a target whose requests may take {@code requestTimeout}. */
    public static TargetHttp create(String target, Duration connectTimeout, Duration requestTimeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return new TargetHttp(target, HttpTransport.of(client), requestTimeout, Clock.systemUTC());
    }

    public String target() {
        return target;
    }

    public TargetResponse send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(requestTimeout).build();
        String what = target + " " + built.method() + " " + built.uri().getPath();
        HttpTransport.Answer response;
        try {
            response = transport.exchange(built);
        } catch (HttpTimeoutException e) {
            return new TargetResponse.Transient(what + " timed out after " + requestTimeout.toMillis() + " ms",
                    Optional.empty());
        } catch (IOException e) {
            return new TargetResponse.Transient(what + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TargetResponse.Transient(what + " was interrupted", Optional.empty());
        }
        int status = response.status();
        if (status >= 200 && status < 300) {
            return new TargetResponse.Success(status, response.body(), response.headers());
        }
        String codes = ErrorCodes.of(response.body());
        String reason = what + " answered " + status + (codes.isEmpty() ? "" : ": " + codes);
        if (isTransient(status)) {
            Optional<Instant> notBefore = response.headers().firstValue("Retry-After")
                    .flatMap(value -> retryAfter(value, clock.instant()));
            return new TargetResponse.Transient(reason, notBefore, response.body());
        }
        return new TargetResponse.Permanent(status, reason + advice(status), response.body());
    }

    /**
     * Statuses that say "not now" rather than "never": 408, 409, 423 Locked and 477 Migration in progress
     * (HubSpot: wait, honour Retry-After), 425 Too Early, 429, and every 5xx.
     */
    static boolean isTransient(int status) {
        return status == 408 || status == 409 || status == 423 || status == 425 || status == 429 || status == 477
                || status >= 500;
    }

    /** Retry-After as delta-seconds or an HTTP-date; empty when absent or unreadable. */
    public static Optional<Instant> retryAfter(String value, Instant now) {
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? Optional.empty() : Optional.of(now.plusSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                return Optional.of(ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private String advice(int status) {
        return switch (status) {
            case 401 -> " (the " + target + " credentials are invalid or expired: rotate the token in Secrets Manager)";
            case 403 -> " (the " + target + " credentials lack a permission or scope this request needs)";
            case 404, 410 -> " (the " + target + " resource or endpoint does not exist: check the connector configuration)";
            default -> "";
        };
    }
}
