package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's HTTP layer on a keep-alive connection, as Shopify's deliveries and scripts/bench local-intake
 * reach it (issue #12: one connection saw 64 ms per request while the handler took 13-17 ms).
 */
class LocalHttpIT {

    @TempDir
    static Path logs;

    private static RunningStack stack;

    @BeforeAll
    static void start() {
        stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                logs.resolve("local-stack.log"), false, Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /**
     * The JDK's HTTP server writes an answer's headers and its body in two TCP sends. With Nagle's algorithm on (its
     * default), the body waits until the client acknowledges the headers, and the client delays that ACK (40 ms on
     * Linux) because it has nothing to send: every answer on a kept-alive connection took 40 ms or more, whatever
     * the handler's time. The answers here cost well under a millisecond to make.
     */
    @Test
    void answersOnOneKeptAliveConnection_doNotWaitForTheClientsDelayedAck() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url() + "/_local/no-such-endpoint"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        for (int i = 0; i < 10; i++) {
            client.send(request, HttpResponse.BodyHandlers.ofString()); // the connection open, the code warm
        }
        long[] millis = new long[30];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            assertThat(response.statusCode()).isEqualTo(404);
            // A length, not chunks: the client knows where the answer ends and can reuse the connection.
            assertThat(response.headers().firstValueAsLong("content-length")).hasValue(
                    (long) response.body().getBytes(StandardCharsets.UTF_8).length);
        }
        Arrays.sort(millis);

        assertThat(millis[millis.length / 2]).as("median ms per request on one kept-alive connection: %s",
                Arrays.toString(millis)).isLessThan(30);
    }
}
