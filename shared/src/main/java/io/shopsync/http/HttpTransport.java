package io.shopsync.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * How a target's requests leave the process. Deployed functions send them (the JDK client); the
 * local stack's dry run records them in its outbox and answers as the API would, without sending.
 */
@FunctionalInterface
public interface HttpTransport {

    /** A status, headers and body as a target answered. */
    record Answer(int status, HttpHeaders headers, String body) {}

    /**
     * @throws java.net.http.HttpTimeoutException when the request timed out
     * @throws IOException when the connection failed
     */
    Answer exchange(HttpRequest request) throws IOException, InterruptedException;

    /** Sends for real. */
    static HttpTransport of(HttpClient client) {
        return request -> {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers(), response.body());
        };
    }
}
