package io.shopsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.testing.MotoSignedAws;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(AwsBackend.class)
class SecretsManagerSigningSecretsIT {

    private static final byte[] BODY = "{\"id\":820982911946154508}".getBytes(StandardCharsets.UTF_8);

    @Test
    void load_shouldReadClientSecretsAndShopKeys_fromOneSecret(AwsClients aws) {
        String name = "shopsync/webhook-secret-" + UUID.randomUUID();
        aws.secretsManager().createSecret(r -> r.name(name).secretString(
                "{\"clientSecrets\":[\"current\",\"previous\"],\"shopSigningKeys\":{\"shopsync-demo.myshopify.com\":\"admin-key\"}}"));

        SigningSecrets secrets = new SecretsManagerSigningSecrets(MotoSignedAws.secrets(aws), name).load();

        assertThat(secrets.size()).isEqualTo(3);
        byte[] adminDigest = Base64.getDecoder().decode(WebhookSignature.sign(BODY, "admin-key"));
        assertThat(secrets.candidatesFor("shopsync-demo.myshopify.com")).anyMatch(s -> s.matches(BODY, adminDigest));
    }

    @Test
    void load_shouldSayWhatToCheck_whenTheSecretDoesNotExist(AwsClients aws) {
        String name = "shopsync/missing-" + UUID.randomUUID();

        assertThatThrownBy(() -> new SecretsManagerSigningSecrets(MotoSignedAws.secrets(aws), name).load())
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("ResourceNotFoundException")
                .hasMessageContaining("secretsmanager:GetSecretValue");
    }

    @Test
    void load_shouldRefuseAnEmptyStructure_withoutEchoingIt(AwsClients aws) {
        String name = "shopsync/empty-" + UUID.randomUUID();
        aws.secretsManager().createSecret(r -> r.name(name).secretString("{\"clientSecrets\":[]}"));

        assertThatThrownBy(() -> new SecretsManagerSigningSecrets(MotoSignedAws.secrets(aws), name).load())
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageContaining("no webhook signing secret configured");
    }
}
