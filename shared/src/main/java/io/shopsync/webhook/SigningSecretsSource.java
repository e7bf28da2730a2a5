package io.shopsync.webhook;

/** Where the signing secrets live. Loading may call the network; it is never done in a constructor. */
@FunctionalInterface
public interface SigningSecretsSource {

    SigningSecrets load();

    /** Fixed secrets (local stack, tests). */
    static SigningSecretsSource fixed(SigningSecrets secrets) {
        return () -> secrets;
    }
}
