package io.shopsync.intake;

import java.util.Map;

/** What intake needs of an HTTP request: its headers and the raw body bytes as received. */
public record HttpRequest(Map<String, String> headers, byte[] body) {

    public HttpRequest {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }
}
