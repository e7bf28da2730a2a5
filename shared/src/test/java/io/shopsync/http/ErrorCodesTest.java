package io.shopsync.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What of the targets' error answers (as their references show them) may be quoted in a reason. */
class ErrorCodesTest {

    @Test
    void klaviyo_keepsTheCodePointerAndErrorId_notTheDetailQuotingThePhone() {
        String answer = """
                {"errors":[{"id":"4b6b7c0e-8f3a-4d2c-9e1b-7a5d3c2f1e0a","status":400,"code":"invalid",
                "title":"Invalid input.","detail":"Invalid phone number 3175550199 for ana(at)example.com",
                "source":{"pointer":"/data/attributes/phone_number"},"links":{},"meta":{}}]}""";

        assertThat(ErrorCodes.of(answer)).isEqualTo("errors.id=4b6b7c0e-8f3a-4d2c-9e1b-7a5d3c2f1e0a, "
                + "errors.code=invalid, errors.source.pointer=/data/attributes/phone_number");
    }

    @Test
    void hubspot_keepsCategoryCodesAndPropertyNames_fromTheBodyAndTheValidationResultsInItsMessage() {
        String answer = """
                {"status":"error","message":"Property values were not valid: [{\\"isValid\\":false,\\"message\\":\\"Email \
                address ana.lima%40example.com is invalid\\",\\"error\\":\\"INVALID_EMAIL\\",\\"name\\":\\"email\\"}]",\
                "correlationId":"3d1c2b8a-5a3e-4a39-9c55-0d6f3f8e2a11","category":"VALIDATION_ERROR",\
                "errors":[{"message":"Ana Lima is not valid","code":"INVALID_STRING","in":"firstname"}],\
                "context":{"propertyName":["firstname"],"ids":["ana.lima@example.com"]}}""";

        assertThat(ErrorCodes.of(answer)).isEqualTo("message.error=INVALID_EMAIL, message.name=email, "
                + "correlationId=3d1c2b8a-5a3e-4a39-9c55-0d6f3f8e2a11, category=VALIDATION_ERROR, errors.code=INVALID_STRING, "
                + "errors.in=firstname, context.propertyName=firstname");
    }

    @Test
    void katana_keepsItsCodeAndTheDetailsPaths_notTheirMessages() {
        String answer = """
                {"statusCode":422,"name":"UnprocessableEntityError","code":"VALIDATION_FAILED",
                 "message":"The request body is invalid. See error object `details` property for more info.",
                 "details":[{"path":".location_id","code":"invalid","message":"location of Ana Lima is not active"}]}""";

        assertThat(ErrorCodes.of(answer)).isEqualTo("code=VALIDATION_FAILED, details.path=.location_id, details.code=invalid");
    }

    @Test
    void valuesUnderCodeFields_thatAreNotShapedAsCodes_areLeftOut() {
        String answer = """
                {"code":"ana.lima@example.com","error":"Ana Lima","in":"4155550187","category":"ana%40example.com",
                 "id":"4155550187","correlationId":"not-a-uuid"}""";

        assertThat(ErrorCodes.of(answer)).isEqualTo("no error code in its body");
    }

    @Test
    void aBodyThatIsNotJson_isDescribedByItsLengthOnly() {
        assertThat(ErrorCodes.of("<html><body>502 Bad Gateway for ana@example.com</body></html>"))
                .isEqualTo("a body that is not JSON (61 characters)");
        assertThat(ErrorCodes.of("")).isEmpty();
    }
}
