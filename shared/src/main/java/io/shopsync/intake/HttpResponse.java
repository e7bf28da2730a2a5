package io.shopsync.intake;

/** Intake's answer to Shopify: a status and a short JSON body that never carries details of a failure. */
public record HttpResponse(int statusCode, String body) {

    static HttpResponse json(int status, String body) {
        return new HttpResponse(status, body);
    }
}
