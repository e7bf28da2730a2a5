package io.shopsync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One customer whose personal data a test can follow: put into Shopify payloads, echoed in target
 * answers, and looked for in everything that leaves the function ({@link #scanner()}).
 */
public final class KnownCustomer {

    public static final String FIRST_NAME = "Zuleika";
    public static final String LAST_NAME = "Quennell-Abara";
    public static final String EMAIL = "zuleika.quennell@example.org";
    /** The same address as a URL or a form field carries it. */
    public static final String EMAIL_PERCENT = "zuleika.quennell%40example.org";
    /** The same address as people write it to dodge harvesters. */
    public static final String EMAIL_AT = "zuleika.quennell(at)example.org";
    public static final String PHONE = "+351 912 345 678";
    /** The same number as an API normalises it: no {@code +}, no spaces. */
    public static final String PHONE_DIGITS = "351912345678";
    /** A second number, written without a country code. */
    public static final String OTHER_PHONE = "(415) 555-0187";
    public static final String STREET = "17 Rua das Flores";
    public static final String STREET_2 = "Flat 4C, Bloco Norte";
    public static final String CITY = "Vila Nova de Gaia";
    public static final String ZIP = "4400-123";

    private KnownCustomer() {}

    /** A scanner for this customer's data (add the test's secrets to it). */
    public static LeakScanner scanner() {
        return new LeakScanner()
                .personal("first name", FIRST_NAME)
                .personal("last name", LAST_NAME)
                .email(EMAIL)
                .phone(PHONE)
                .phone(OTHER_PHONE)
                .personal("street", STREET)
                .personal("street line 2", STREET_2)
                .personal("city", CITY)
                .personal("postal code", ZIP);
    }

    /**
     * Puts this customer into a Shopify payload wherever Shopify puts a customer: e-mails, phones,
     * names and address lines at any depth, the order note and the landing site (the other e-mail forms).
     */
    public static ObjectNode into(ObjectNode payload) {
        replace(payload);
        if (payload.has("note")) {
            payload.put("note", "Call " + OTHER_PHONE + " or write to " + EMAIL_AT + " before delivery");
        }
        if (payload.has("landing_site")) {
            payload.put("landing_site", "/pages/newsletter?subscriber=" + EMAIL_PERCENT);
        }
        return payload;
    }

    private static void replace(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("first_name") && object.path("name").isTextual()) {
                object.put("name", FIRST_NAME + " " + LAST_NAME); // an address's full name
            }
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (value.isTextual()) {
                    String replacement = replacement(name);
                    if (replacement != null) {
                        object.put(name, replacement);
                    }
                } else {
                    replace(value);
                }
            }
        } else if (node != null && node.isArray()) {
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                replace(it.next());
            }
        }
    }

    private static String replacement(String field) {
        return Map.of(
                "email", EMAIL,
                "contact_email", EMAIL,
                "phone", PHONE,
                "first_name", FIRST_NAME,
                "last_name", LAST_NAME,
                "address1", STREET,
                "address2", STREET_2,
                "city", CITY,
                "zip", ZIP).get(field);
    }
}
