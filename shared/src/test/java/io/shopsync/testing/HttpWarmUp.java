package io.shopsync.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Before any test of a test JVM, one request through the JDK HTTP client to a WireMock server: the first
 * request of a cold JVM (class loading on both sides) can outlast the short request timeouts the contract
 * tests use to test timeouts, when the machine is loaded. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}.
 */
public final class HttpWarmUp implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            once();
        } catch (IOException e) {
            throw new UncheckedIOException("the HTTP warm-up request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void once() throws IOException, InterruptedException {
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
