package io.shopsync.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for known secrets and personal data in the text a function lets out of its own memory: log
 * lines, dead-letter message attributes, alert subjects, messages and attributes.
 *
 * <p>Each value is looked for in the forms an echo gives it, not only as written: e-mail addresses
 * case-insensitively, percent-encoded ({@code %40}) and obfuscated ({@code (at)}, {@code [at]},
 * {@code " at "}); phone numbers by their last nine digits whatever the separators, with or without
 * {@code +} and country code; secrets, names and street lines case-insensitively, also JSON-escaped.
 */
public final class LeakScanner {

    /** A run of digits with the separators phone numbers are written with. */
    private static final Pattern DIGIT_RUN = Pattern.compile("\\d[\\d ().+/\\-]*\\d");
    private static final int PHONE_DIGITS = 9;

    private final Map<String, Set<String>> forms = new LinkedHashMap<>();
    private final Map<String, String> phones = new LinkedHashMap<>();

    /** A token, API key or signing secret. */
    public LeakScanner secret(String label, String value) {
        return add("secret " + label, value);
    }

    /** A name, a street line, a city: anything personal that is plain text. */
    public LeakScanner personal(String label, String value) {
        return add(label, value);
    }

    public LeakScanner email(String address) {
        int at = address.indexOf('@');
        if (at < 1) {
            throw new IllegalArgumentException("not an e-mail address: " + address);
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        String label = "e-mail " + address;
        add(label, address);
        add(label, URLEncoder.encode(address, StandardCharsets.UTF_8));
        add(label, local + "%40" + domain);
        add(label, local + "(at)" + domain);
        add(label, local + " (at) " + domain);
        add(label, local + "[at]" + domain);
        return add(label, local + " at " + domain);
    }

    /** A phone number as written anywhere: {@code +351 912 345 678}, {@code (415) 555-0134}, {@code 4155550134}. */
    public LeakScanner phone(String number) {
        String digits = number.replaceAll("\\D", "");
        if (digits.length() < PHONE_DIGITS) {
            throw new IllegalArgumentException("a phone number needs at least " + PHONE_DIGITS + " digits: " + number);
        }
        phones.put("phone " + number, digits.substring(digits.length() - PHONE_DIGITS));
        return this;
    }

    private LeakScanner add(String label, String value) {
        if (value == null || value.length() < 4) {
            throw new IllegalArgumentException(label + ": too short to look for without false alarms");
        }
        Set<String> set = forms.computeIfAbsent(label, l -> new LinkedHashSet<>());
        set.add(value.toLowerCase(Locale.ROOT));
        set.add(value.toLowerCase(Locale.ROOT).replace("\"", "\\\"").replace("/", "\\/"));
        return this;
    }

    /** What was found in one text: each known value's label, once. */
    public List<String> findIn(String text) {
        List<String> found = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return found;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        forms.forEach((label, values) -> {
            if (values.stream().anyMatch(lower::contains)) {
                found.add(label);
            }
        });
        if (!phones.isEmpty()) {
            List<String> runs = new ArrayList<>();
            Matcher m = DIGIT_RUN.matcher(text);
            while (m.find()) {
                runs.add(m.group().replaceAll("\\D", ""));
            }
            phones.forEach((label, digits) -> {
                if (runs.stream().anyMatch(run -> run.contains(digits))) {
                    found.add(label);
                }
            });
        }
        return found;
    }

    /**
     * Every finding in these texts, as {@code where: label}, for an assertion that there are none.
     *
     * @param texts where each text goes (a log line, a DLQ attribute, an alert message) to the text
     */
    public List<String> findIn(Map<String, String> texts) {
        List<String> findings = new ArrayList<>();
        texts.forEach((where, text) -> findIn(text).forEach(label -> findings.add(where + ": " + label)));
        return findings;
    }
}
