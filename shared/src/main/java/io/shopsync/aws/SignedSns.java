package io.shopsync.aws;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * SNS Publish as a signed request (AWS query protocol: a form POST, an XML answer), not the SDK's SNS client, whose
 * module was 0.9 MB of every function jar for this one call (docs/performance.md, "Jar size"). SNS's ErrorResponse
 * becomes {@link AwsCallFailure} with SNS's code and request id; 5xx and {@code Throttling} are retried.
 */
public final class SignedSns implements SnsPublish {

    private final SignedPost post;

    /** @param endpoint an SNS-compatible endpoint (moto, LocalStack); null for AWS's regional endpoint */
    public SignedSns(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint, Clock clock) {
        this.post = new SignedPost(http, credentials, region, endpoint, clock, "sns", "SNS");
    }

    @Override
    public String publish(String topicArn, String subject, String message, Map<String, String> attributes) {
        String body = form(topicArn, subject, message, attributes);
        byte[] answer = post.send("Publish", topicArn, "application/x-www-form-urlencoded; charset=utf-8", null,
                body.getBytes(StandardCharsets.UTF_8), SignedSns::refusal,
                "check ALERTS_TOPIC_ARN names the stack's topic in this region, and the message's size and attributes");
        try {
            return text(AwsAnswers.parseXml(answer).getDocumentElement(), "PublishResult", "MessageId");
        } catch (IOException | SAXException e) {
            throw SdkClientException.builder().message("SNS Publish " + topicArn
                    + " answered 2xx with XML that cannot be read (" + e.getMessage() + "); the message may have been"
                    + " published").cause(e).build();
        }
    }

    /** The query protocol's form; entries in a stable order so the signature is reproducible. */
    static String form(String topicArn, String subject, String message, Map<String, String> attributes) {
        StringBuilder form = new StringBuilder("Action=Publish&Version=2010-03-31");
        append(form, "TopicArn", topicArn);
        if (subject != null) {
            append(form, "Subject", subject);
        }
        append(form, "Message", message);
        int n = 0;
        for (Map.Entry<String, String> attribute : new TreeMap<>(attributes).entrySet()) {
            n++;
            String prefix = "MessageAttributes.entry." + n + ".";
            append(form, prefix + "Name", attribute.getKey());
            append(form, prefix + "Value.DataType", "String");
            append(form, prefix + "Value.StringValue", attribute.getValue());
        }
        return form.toString();
    }

    private static void append(StringBuilder form, String name, String value) {
        form.append('&').append(encode(name)).append('=').append(encode(value));
    }

    /** RFC 3986 percent-encoding, as AWS's query protocol wants it (space as %20, tilde kept). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    /** {@code <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>}. */
    private static SignedPost.Refusal refusal(byte[] answer) {
        try {
            Element root = AwsAnswers.parseXml(answer).getDocumentElement();
            Element error = child(root, "Error");
            if (error == null) {
                return new SignedPost.Refusal(null, "an answer that is not SNS's ErrorResponse", null);
            }
            return new SignedPost.Refusal(text(error, "Code"), text(error, "Message"), text(root, "RequestId"));
        } catch (IOException | SAXException e) {
            return new SignedPost.Refusal(null, "an answer that is not SNS's ErrorResponse", null);
        }
    }

    private static String text(Element parent, String... path) {
        Element element = parent;
        for (String name : path) {
            element = element == null ? null : child(element, name);
        }
        return element == null ? "" : element.getTextContent();
    }

    private static Element child(Element parent, String name) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName() != null
                    ? element.getLocalName() : element.getTagName())) {
                return element;
            }
        }
        return null;
    }
}
