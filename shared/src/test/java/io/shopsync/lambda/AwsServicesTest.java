package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** What Lambda's environment gives the SDK clients, without the default chains' look-ups (issue #12). */
class AwsServicesTest {

    private static Map<String, String> lambda() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEEXAMPLE");
        env.put("AWS_SECRET_ACCESS_KEY", "example-secret-key");
        env.put("AWS_SESSION_TOKEN", "example-session-token");
        return env;
    }

    @Test
    void fromEnvironment_shouldTakeTheCredentialsLambdaSetsInTheEnvironment_withoutWalkingTheDefaultChain() {
        AwsServices aws = AwsServices.fromEnvironment(lambda());

        var config = aws.sqs().serviceClientConfiguration();
        assertThat(config.credentialsProvider()).isInstanceOf(AwsServices.SwitchedCredentials.class);
        assertThat(((AwsServices.SwitchedCredentials) config.credentialsProvider()).real())
                .isInstanceOf(EnvironmentVariableCredentialsProvider.class);
        assertThat(config.region()).isEqualTo(Region.EU_WEST_1);
    }

    @Test
    void fromEnvironment_shouldTakeTheContainerCredentials_whenSnapStartProvidesThoseInstead() {
        // With SnapStart, Lambda sets no access keys but a container credentials endpoint (AWS docs, SnapStart).
        Map<String, String> env = lambda();
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.remove("AWS_SESSION_TOKEN");
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9001/2021-04-23/credentials");
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "example-token");

        AwsServices aws = AwsServices.fromEnvironment(env);

        assertThat(((AwsServices.SwitchedCredentials) aws.dynamo().serviceClientConfiguration().credentialsProvider())
                .real()).isInstanceOf(ContainerCredentialsProvider.class);
    }
}
