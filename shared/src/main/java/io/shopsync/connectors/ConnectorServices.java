package io.shopsync.connectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import java.time.Clock;
import java.time.Duration;

/**
 * What every connector factory shares, whatever its settings: where requests go (sent for real, or recorded by the
 * local stack's dry run), the one ObjectMapper, telemetry and the clock.
 */
public record ConnectorServices(HttpTransport transport, ObjectMapper json, Telemetry telemetry, Clock clock) {

    public ConnectorServices {
        if (transport == null || json == null || telemetry == null || clock == null) {
            throw new IllegalArgumentException("ConnectorServices needs a transport, an ObjectMapper, telemetry and a clock");
        }
    }

    /** The HTTP client a connector for {@code target} sends through. */
    public TargetHttp http(String target, Duration requestTimeout) {
        return new TargetHttp(target, transport, requestTimeout, clock);
    }
}
