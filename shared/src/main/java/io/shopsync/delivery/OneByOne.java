package io.shopsync.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A batch sent one request per item, for APIs without a batch call for the job (consent, privacy deletions):
 * after a transient failure (throttled, or down) the rest of the batch is not sent and waits with the same
 * outcome, rather than meeting the same answer item after item.
 */
public final class OneByOne {

    private OneByOne() {}

    public static List<DeliveryOutcome> deliver(List<DeliveryItem> items, Function<DeliveryItem, DeliveryOutcome> each) {
        List<DeliveryOutcome> outcomes = new ArrayList<>();
        DeliveryOutcome.RetryLater halted = null;
        for (DeliveryItem item : items) {
            DeliveryOutcome outcome = halted != null ? halted : each.apply(item);
            if (outcome instanceof DeliveryOutcome.RetryLater retry) {
                halted = retry;
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }
}
