package io.shopsync.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a webhook body names a person: their customer id or one of their order ids as a whole number, or
 * their e-mail or phone as text (e-mail case-insensitively). What a redaction deletes from the claim-check bucket
 * and {@code dlq purge} from a dead-letter queue.
 */
public final class PersonMatch {

    private final List<Pattern> ids = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();

    public PersonMatch(String customerId, Optional<String> email, Optional<String> phone, List<String> orderIds) {
        ids.add(number(customerId));
        orderIds.forEach(order -> ids.add(number(order)));
        email.map(e -> e.toLowerCase(Locale.ROOT)).filter(e -> !e.isBlank()).ifPresent(texts::add);
        phone.filter(p -> !p.isBlank()).ifPresent(texts::add);
    }

    public static PersonMatch of(PrivacyRequest request) {
        return new PersonMatch(request.customerId().orElseThrow(), request.email(), request.phone(), request.orderIds());
    }

    public boolean names(String body) {
        String lower = body.toLowerCase(Locale.ROOT);
        return ids.stream().anyMatch(id -> id.matcher(body).find()) || texts.stream().anyMatch(lower::contains);
    }

    /** An id as a whole number in JSON text (not a part of a longer one). */
    private static Pattern number(String id) {
        if (!id.matches("[1-9][0-9]{0,24}")) {
            throw new IllegalArgumentException("not a Shopify id: give the customer's and orders' numeric ids");
        }
        return Pattern.compile("(?<![0-9])" + id + "(?![0-9])");
    }
}
