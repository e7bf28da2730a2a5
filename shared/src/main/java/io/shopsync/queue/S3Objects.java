package io.shopsync.queue;

import io.shopsync.aws.AwsAnswers;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * The four S3 operations Shopsync uses (PutObject, GetObject, DeleteObject, ListObjectsV2), as signed requests over
 * the functions' one {@link SdkHttpClient}, signed by the SDK's own SigV4 signer. Not the S3 client: its module is
 * 3.8 MB of every function jar (2,382 classes) for four calls (docs/performance.md, "Jar size").
 *
 * <p>S3's refusals become {@link S3Failure} with S3's error code and request id; a request that gets no answer
 * becomes an {@link SdkClientException}. Like the SDK's client, a 500, 503 or lost connection is tried up to
 * {@value #ATTEMPTS} times before it is thrown.
 */
public final class S3Objects {

    static final int ATTEMPTS = 3;
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final URI endpoint;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param endpoint an S3-compatible endpoint (moto, LocalStack), addressed path-style; null for AWS's regional
     *                 endpoint, addressed virtual-hosted style as AWS recommends
     */
    public S3Objects(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint, Clock clock) {
        this.http = http;
        this.credentials = credentials;
        this.region = region;
        this.endpoint = endpoint;
        this.clock = clock;
    }

    /** One page of keys. */
    public record Page(List<String> keys, Optional<String> nextContinuationToken) {}

    /** PutObject, encrypted at rest with S3-managed keys (SSE-S3). */
    public void put(String bucket, String key, byte[] body, String contentType) {
        SdkHttpFullRequest.Builder request = request(SdkHttpMethod.PUT, bucket, key)
                .putHeader("Content-Type", contentType)
                .putHeader("Content-Length", Integer.toString(body.length))
                .putHeader("x-amz-server-side-encryption", "AES256");
        send("PutObject", bucket, key, request, body);
    }

    /** GetObject: the object's bytes. */
    public byte[] get(String bucket, String key) {
        return send("GetObject", bucket, key, request(SdkHttpMethod.GET, bucket, key), null);
    }

    /** DeleteObject; S3 answers 204 whether the key existed or not. */
    public void delete(String bucket, String key) {
        send("DeleteObject", bucket, key, request(SdkHttpMethod.DELETE, bucket, key), null);
    }

    /** ListObjectsV2: up to 1,000 keys of the bucket, from {@code continuationToken} (null: the first page). */
    public Page list(String bucket, String continuationToken) {
        SdkHttpFullRequest.Builder request = request(SdkHttpMethod.GET, bucket, "").putRawQueryParameter("list-type", "2");
        if (continuationToken != null) {
            request.putRawQueryParameter("continuation-token", continuationToken);
        }
        Document page = xml(send("ListObjectsV2", bucket, "", request, null), "ListObjectsV2", bucket);
        List<String> keys = new ArrayList<>();
        NodeList contents = page.getDocumentElement().getElementsByTagName("Contents");
        for (int i = 0; i < contents.getLength(); i++) {
            keys.add(text((Element) contents.item(i), "Key"));
        }
        boolean truncated = "true".equals(text(page.getDocumentElement(), "IsTruncated"));
        String next = text(page.getDocumentElement(), "NextContinuationToken");
        return new Page(keys, truncated && !next.isEmpty() ? Optional.of(next) : Optional.empty());
    }

    private SdkHttpFullRequest.Builder request(SdkHttpMethod method, String bucket, String key) {
        String path = key.isEmpty() ? "" : "/" + encodePath(key);
        URI uri;
        if (endpoint != null || bucket.contains(".")) {
            // Path style: a local endpoint has no per-bucket host names, and a dotted bucket name would not match
            // the certificate of a virtual host.
            URI base = endpoint != null ? endpoint : URI.create("https://s3." + region + "." + domain());
            String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
            uri = URI.create(base.getScheme() + "://" + base.getRawAuthority() + basePath + "/" + bucket + path);
        } else {
            uri = URI.create("https://" + bucket + ".s3." + region + "." + domain() + (path.isEmpty() ? "/" : path));
        }
        return SdkHttpFullRequest.builder().method(method).uri(uri);
    }

    private String domain() {
        return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    }

    private byte[] send(String operation, String bucket, String key, SdkHttpFullRequest.Builder request, byte[] body) {
        request.putHeader("x-amz-content-sha256", body == null ? EMPTY_SHA256 : sha256(body));
        String object = "s3://" + bucket + "/" + key;
        IOException lastIo = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            SignedRequest signed = sign(request.build(), body);
            try {
                HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                        .contentStreamProvider(signed.payload().orElse(null)).build()).call();
                int status = response.httpResponse().statusCode();
                byte[] answer = AwsAnswers.read(response);
                if (status / 100 == 2) {
                    return answer;
                }
                S3Failure failure = failure(operation, object, status, answer,
                        response.httpResponse().firstMatchingHeader("x-amz-request-id").orElse(null));
                if ((status != 500 && status != 503) || attempt == ATTEMPTS) {
                    throw failure;
                }
            } catch (IOException e) {
                lastIo = e;
            }
            if (attempt < ATTEMPTS) {
                AwsAnswers.pause(attempt);
            }
        }
        throw SdkClientException.builder().message("S3 " + operation + " " + object + " got no answer in " + ATTEMPTS
                + " attempts (" + lastIo + "): check the function can reach S3 (VPC endpoint or NAT) and retry")
                .cause(lastIo).build();
    }

    SignedRequest sign(SdkHttpFullRequest request, byte[] body) {
        return signer.sign(r -> r.identity(credentials.resolveCredentials()).request(request)
                .payload(body == null ? null : ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    }

    /** S3's error document: {@code <Error><Code>NoSuchKey</Code><Message>...</Message><RequestId>...}. */
    private static S3Failure failure(String operation, String object, int status, byte[] answer, String requestId) {
        String code = "HTTP " + status;
        String message = "";
        if (answer.length > 0) {
            try {
                Element error = AwsAnswers.parseXml(answer).getDocumentElement();
                code = text(error, "Code").isEmpty() ? code : text(error, "Code");
                message = text(error, "Message");
                requestId = text(error, "RequestId").isEmpty() ? requestId : text(error, "RequestId");
            } catch (IOException | SAXException e) {
                message = "an answer that is not S3's error document";
            }
        }
        return new S3Failure("S3 " + operation + " " + object + " answered " + status + " " + code
                + (message.isEmpty() ? "" : " (" + message + ")") + (requestId == null ? "" : ", request id " + requestId)
                + ": " + nextStep(status, code), status, code, requestId);
    }

    private static String nextStep(int status, String code) {
        if ("NoSuchKey".equals(code)) {
            return "the object is gone (expired by the bucket's lifecycle rule, or deleted)";
        }
        if ("NoSuchBucket".equals(code)) {
            return "check CLAIM_CHECK_BUCKET names the stack's bucket";
        }
        if (status == 403) {
            return "check the function's role may use this key (template.yaml, the flow's prefix) and its credentials";
        }
        if (status >= 500) {
            return "S3 is failing; retried";
        }
        return "see S3's error code";
    }

    private static Document xml(byte[] answer, String operation, String bucket) {
        try {
            return AwsAnswers.parseXml(answer);
        } catch (IOException | SAXException e) {
            throw SdkClientException.builder().message("S3 " + operation + " s3://" + bucket
                    + " answered with XML that cannot be read (" + e.getMessage() + ")").cause(e).build();
        }
    }

    /** The text of {@code parent}'s first child element named {@code name}; empty when there is none. */
    private static String text(Element parent, String name) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName() != null
                    ? element.getLocalName() : element.getTagName())) {
                return element.getTextContent();
            }
        }
        return "";
    }

    /** Each key segment URI-encoded as S3's canonical request wants it (RFC 3986 unreserved kept), slashes kept. */
    static String encodePath(String key) {
        StringBuilder out = new StringBuilder();
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || c == '/') {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
