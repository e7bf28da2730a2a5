package io.shopsync.aws;

import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * An AWS service refused a signed request ({@link SignedSns}, {@link SignedSecretsManager}): the service, the
 * operation, its HTTP status, the service's error code ({@code AuthorizationError}, {@code
 * ResourceNotFoundException}, {@code Throttling} ...) and request id. An {@link SdkServiceException}, so whatever
 * handles the SDK's service errors handles it too.
 */
public final class AwsCallFailure extends SdkServiceException {

    private static final long serialVersionUID = 1L;

    private final String service;
    private final String operation;
    private final String code;

    AwsCallFailure(String message, String service, String operation, int status, String code, String requestId) {
        super(SdkServiceException.builder().message(message).statusCode(status).requestId(requestId));
        this.service = service;
        this.operation = operation;
        this.code = code;
    }

    /** The service's signing name: {@code sns}, {@code secretsmanager}. */
    public String service() {
        return service;
    }

    /** {@code Publish}, {@code GetSecretValue}. */
    public String operation() {
        return operation;
    }

    /** The service's error code; {@code HTTP <status>} when it sent no error document. */
    public String code() {
        return code;
    }

    /** What to name {@code e} by in an error: the service's code for an AwsCallFailure, else the exception's type. */
    public static String name(Exception e) {
        return e instanceof AwsCallFailure failure ? failure.code() : e.getClass().getSimpleName();
    }

    @Override
    public boolean isThrottlingException() {
        return throttling(statusCode(), code);
    }

    static boolean throttling(int status, String code) {
        return status == 429 || "Throttling".equals(code) || "ThrottlingException".equals(code)
                || "TooManyRequestsException".equals(code) || "RequestLimitExceeded".equals(code);
    }
}
