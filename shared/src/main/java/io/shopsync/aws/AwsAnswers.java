package io.shopsync.aws;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.SAXException;
import software.amazon.awssdk.http.HttpExecuteResponse;

/**
 * What every signed request to AWS does with an answer (S3 in {@code queue.S3Objects}, SNS and Secrets Manager
 * here): read its body whole, parse an XML one safely, and wait before the next attempt.
 */
public final class AwsAnswers {

    private AwsAnswers() {}

    /** The answer's body, empty when it has none. */
    public static byte[] read(HttpExecuteResponse response) throws IOException {
        if (response.responseBody().isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = response.responseBody().get()) {
            return in.readAllBytes();
        }
    }

    /** An AWS XML answer (S3, SNS): no DTDs, no external entities. */
    public static Document parseXml(byte[] answer) throws IOException, SAXException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(answer));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured safely", e);
        }
    }

    /** The wait before attempt {@code attempt + 1}: 200, 400 ms ... */
    public static void pause(int attempt) {
        try {
            Thread.sleep(Duration.ofMillis(100L << attempt).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
