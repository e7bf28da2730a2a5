package io.shopsync.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * One request through the JDK HTTP client to a WireMock server, for a contract test's {@code @BeforeAll}:
 * the first request of a cold JVM (class loading on both sides) can outlast the short request timeouts
 * contract tests use to test timeouts, when the machine is loaded.
 */
public final class HttpWarmUp {

    private HttpWarmUp() {}

    public static void once() throws IOException, InterruptedException {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        try {
            server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(204)));
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/warm-up"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
        } finally {
            server.stop();
        }
    }
}
