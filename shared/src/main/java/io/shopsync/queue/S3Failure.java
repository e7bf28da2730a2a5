package io.shopsync.queue;

import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * S3 refused a request: its HTTP status, S3's error code ({@code NoSuchKey}, {@code AccessDenied}, {@code SlowDown}
 * ...) and request id. An {@link SdkServiceException}, so whatever handles the SDK's service errors handles it too.
 */
public final class S3Failure extends SdkServiceException {

    private static final long serialVersionUID = 1L;

    private final String code;

    S3Failure(String message, int status, String code, String requestId) {
        super(SdkServiceException.builder().message(message).statusCode(status).requestId(requestId));
        this.code = code;
    }

    /** S3's error code, e.g. {@code NoSuchKey}; the HTTP status when S3 sent no error document. */
    public String code() {
        return code;
    }

    public boolean noSuchKey() {
        return "NoSuchKey".equals(code);
    }

    @Override
    public boolean isThrottlingException() {
        return statusCode() == 503 || "SlowDown".equals(code);
    }
}
