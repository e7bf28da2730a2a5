package io.shopsync.connectors.shopify;

/**
 * An Admin GraphQL request that did not come to data: refused, or still throttled or failing after
 * {@link AdminGraphql#MAX_ATTEMPTS} attempts. The message is the reason a log or an alert may carry (codes,
 * statuses, ids); an operator's tool reads {@link #answer()} to say what to do.
 */
public final class AdminGraphqlFailure extends RuntimeException {

    private final String what;
    private final AdminGraphql.Answer answer;

    /** @param answer an {@link AdminGraphql.Answer.Throttled} or {@link AdminGraphql.Answer.Failed} */
    public AdminGraphqlFailure(String what, AdminGraphql.Answer answer) {
        super(reason(what, answer));
        this.what = what;
        this.answer = answer;
    }

    /** What was being done ("listing webhook subscriptions"). */
    public String what() {
        return what;
    }

    public AdminGraphql.Answer answer() {
        return answer;
    }

    private static String reason(String what, AdminGraphql.Answer answer) {
        if (answer instanceof AdminGraphql.Answer.Throttled throttled) {
            return what + " failed: Shopify throttled it " + AdminGraphql.MAX_ATTEMPTS + " times in a row"
                    + (throttled.bucket().isEmpty() ? "" : " (" + throttled.bucket() + ")");
        }
        if (answer instanceof AdminGraphql.Answer.Failed failed) {
            return what + " failed: " + failed.reason();
        }
        throw new IllegalArgumentException("not a failure: " + answer);
    }
}
