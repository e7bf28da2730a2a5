package io.shopsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.testkit.Fixtures;
import io.shopsync.webhook.WebhookSignature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Posts the events/ samples to a running local stack over real HTTP, signed as Shopify signs them. */
final class SignedWebhooks {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "x-shopify-hmac-sha256");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SignedWebhooks() {}

    /** events/<flow>/*.json without the SQS sample. */
    static List<Path> samples(String flow) {
        try (Stream<Path> files = Files.list(Fixtures.path("events/" + flow))) {
            return files.filter(f -> f.toString().endsWith(".json") && !f.endsWith("sqs-delivery.json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode event(Path file) {
        try {
            return (ObjectNode) JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Posts the event's body with its headers, signed with {@code secret} over {@code signedBody}. */
    static HttpResponse<String> post(String baseUrl, JsonNode event, byte[] signedBody, byte[] sentBody, String secret) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + event.path("rawPath").asText()))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(sentBody));
        event.path("headers").properties().forEach(h -> {
            if (!NOT_FORWARDED.contains(h.getKey())) {
                request.header(h.getKey(), h.getValue().asText());
            }
        });
        request.header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(signedBody, secret));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> post(String baseUrl, JsonNode event, String secret) {
        byte[] body = event.path("body").asText().getBytes(StandardCharsets.UTF_8);
        return post(baseUrl, event, body, body, secret);
    }

    static JsonNode get(String url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A status code and body read off the wire. */
    record RawResponse(int status, String body) {}

    /**
     * Sends one request over a plain socket with the Host header given: Java's HTTP client always sends
     * the URL's own, as a browser does, but a page that had its name resolve to 127.0.0.1 sends its name.
     * With {@code secret}, the event's body and headers are sent signed, as {@link #post} sends them.
     */
    static RawResponse raw(int port, String method, String path, String host, JsonNode event, String secret) {
        byte[] body = event == null ? new byte[0] : event.path("body").asText().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n");
        if (event != null) {
            event.path("headers").properties().forEach(h -> {
                if (!NOT_FORWARDED.contains(h.getKey())) {
                    head.append(h.getKey()).append(": ").append(h.getValue().asText()).append("\r\n");
                }
            });
            head.append("X-Shopify-Hmac-Sha256: ").append(WebhookSignature.sign(body, secret)).append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(response.indexOf(' ') + 1, response.indexOf(' ') + 4));
            int start = response.indexOf("\r\n\r\n");
            return new RawResponse(status, start < 0 ? "" : response.substring(start + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until /_local/status shows nothing in flight in any flow. */
    static JsonNode awaitIdle(String baseUrl, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quiet = 0;
        while (true) {
            JsonNode status = get(baseUrl + "/_local/status");
            int inFlight = 0;
            for (JsonNode flow : status.path("flows")) {
                inFlight += flow.path("inFlight").asInt();
            }
            quiet = inFlight == 0 ? quiet + 1 : 0;
            if (quiet >= 2) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still in flight after " + timeout + ": " + status);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
