package io.shopsync.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An in-memory AWS for SnapStart priming: it answers the requests Shopsync's hot paths send to SQS, DynamoDB,
 * SNS, S3 and Secrets Manager as those services do (their wire formats, checksums and headers), so the SDK's
 * whole request path (marshalling, signing, endpoint rules, response parsing and checksum checks) runs before the
 * snapshot without a byte leaving the process. Nothing is written anywhere: S3 objects live in this instance only.
 * Any other operation is answered with the service's own "unknown operation" error, so a new request on a hot
 * path shows up as a priming failure, never as a silent success.
 */
final class AwsStandIn implements SdkHttpClient {

    /** What each request was, for the priming's own check and tests: service, operation, status. */
    record Exchange(String service, String operation, int status) {
    }

    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/[^/]+/([^/]+)/aws4_request");

    private final String secretString;
    private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong(18_900_000_000_000_000L);

    /** @param secretString what GetSecretValue answers for any secret id */
    AwsStandIn(String secretString) {
        this.secretString = secretString;
    }

    List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return answer(request);
            }

            @Override
            public void abort() {
            }
        };
    }

    @Override
    public String clientName() {
        return "ShopsyncPrimingStandIn";
    }

    @Override
    public void close() {
    }

    private HttpExecuteResponse answer(HttpExecuteRequest request) {
        SdkHttpRequest http = request.httpRequest();
        byte[] body = read(request);
        String service = service(http);
        Reply reply = switch (service) {
            case "sqs" -> sqs(operation(http, "AmazonSQS."), body);
            case "dynamodb" -> dynamodb(operation(http, "DynamoDB_20120810."));
            case "secretsmanager" -> secretsManager(operation(http, "secretsmanager."), body);
            case "sns" -> sns(form(body).getOrDefault("Action", ""));
            case "s3" -> s3(http, body);
            default -> new Reply("unknown", 400, "application/json", "{\"message\":\"service " + service
                    + " is not answered by the priming stand-in\"}", Map.of());
        };
        exchanges.add(new Exchange(service, reply.operation, reply.status));
        SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(reply.status)
                .putHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                .putHeader("Content-Length", Integer.toString(reply.body.length));
        if (reply.contentType != null) {
            response.putHeader("Content-Type", reply.contentType);
        }
        reply.headers.forEach(response::putHeader);
        return HttpExecuteResponse.builder().response(response.build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(reply.body))).build();
    }

    // --- SQS (AWS JSON 1.0) ---

    private Reply sqs(String operation, byte[] body) {
        return switch (operation) {
            case "SendMessage" -> {
                Map<String, Object> sent = Json.object(body);
                String messageBody = (String) sent.get("MessageBody");
                StringBuilder json = new StringBuilder("{\"MD5OfMessageBody\":\"")
                        .append(md5Hex(messageBody.getBytes(StandardCharsets.UTF_8))).append('"');
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> attributes = (Map<String, Map<String, Object>>) sent.get("MessageAttributes");
                if (attributes != null && !attributes.isEmpty()) {
                    json.append(",\"MD5OfMessageAttributes\":\"").append(sqsAttributesMd5(attributes)).append('"');
                }
                json.append(",\"MessageId\":\"").append(UUID.randomUUID()).append('"');
                if (sent.get("MessageGroupId") != null) {
                    json.append(",\"SequenceNumber\":\"").append(sequence.incrementAndGet()).append('"');
                }
                yield json("SendMessage", json.append('}').toString(), "application/x-amz-json-1.0");
            }
            case "ChangeMessageVisibility" -> json(operation, "{}", "application/x-amz-json-1.0");
            default -> unknownOperation(operation, "application/x-amz-json-1.0");
        };
    }

    /** SQS's MD5 of message attributes: per name in order, length-prefixed name, type, transport byte and value. */
    private static String sqsAttributesMd5(Map<String, Map<String, Object>> attributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Map.Entry<String, Map<String, Object>> attribute : new TreeMap<>(attributes).entrySet()) {
            String type = (String) attribute.getValue().get("DataType");
            lengthPrefixed(bytes, attribute.getKey().getBytes(StandardCharsets.UTF_8));
            lengthPrefixed(bytes, type.getBytes(StandardCharsets.UTF_8));
            if (attribute.getValue().get("StringValue") != null) {
                bytes.write(1);
                lengthPrefixed(bytes, ((String) attribute.getValue().get("StringValue")).getBytes(StandardCharsets.UTF_8));
            } else {
                bytes.write(2);
                lengthPrefixed(bytes, Base64.getDecoder().decode((String) attribute.getValue().get("BinaryValue")));
            }
        }
        return md5Hex(bytes.toByteArray());
    }

    private static void lengthPrefixed(ByteArrayOutputStream out, byte[] value) {
        int n = value.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(value);
    }

    // --- DynamoDB (AWS JSON 1.0, with its CRC32 of the body) ---

    /**
     * As DynamoDB answers on an empty table: nothing found, every conditional write succeeds. That is the path of
     * a new delivery, the one a restored copy's first event takes.
     */
    private static Reply dynamodb(String operation) {
        String answer = switch (operation) {
            case "GetItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems" -> "{}";
            case "Query" -> "{\"Count\":0,\"Items\":[],\"ScannedCount\":0}";
            case "BatchGetItem" -> "{\"Responses\":{},\"UnprocessedKeys\":{}}";
            default -> null;
        };
        Reply reply = answer == null ? unknownOperation(operation, "application/x-amz-json-1.0")
                : json(operation, answer, "application/x-amz-json-1.0");
        CRC32 crc = new CRC32();
        crc.update(reply.body);
        return reply.with("x-amz-crc32", Long.toString(crc.getValue()));
    }

    // --- Secrets Manager (AWS JSON 1.1) ---

    private Reply secretsManager(String operation, byte[] body) {
        if (!"GetSecretValue".equals(operation)) {
            return unknownOperation(operation, "application/x-amz-json-1.1");
        }
        String secretId = (String) Json.object(body).get("SecretId");
        String name = secretId.startsWith("arn:") ? secretId.substring(secretId.lastIndexOf(':') + 1) : secretId;
        String arn = secretId.startsWith("arn:") ? secretId
                : "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-PrImNg";
        return json(operation, "{\"ARN\":" + Json.quote(arn) + ",\"CreatedDate\":1.7646912E9,\"Name\":"
                + Json.quote(name) + ",\"SecretString\":" + Json.quote(secretString) + ",\"VersionId\":\""
                + UUID.randomUUID() + "\",\"VersionStages\":[\"AWSCURRENT\"]}", "application/x-amz-json-1.1");
    }

    // --- SNS (AWS Query, XML answers) ---

    private static Reply sns(String action) {
        if (!"Publish".equals(action)) {
            return new Reply(action, 400, "text/xml", "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                    + "<Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not answered by the priming"
                    + " stand-in</Message></Error><RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>", Map.of());
        }
        return new Reply(action, 200, "text/xml", "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                + "<PublishResult><MessageId>" + UUID.randomUUID() + "</MessageId></PublishResult>"
                + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></PublishResponse>",
                Map.of());
    }

    // --- S3 (REST XML): objects kept in this instance, PUT then GET gives the same bytes back ---

    private Reply s3(SdkHttpRequest http, byte[] body) {
        String object = http.host() + http.encodedPath();
        switch (http.method()) {
            case PUT -> {
                byte[] content = http.firstMatchingHeader("Content-Encoding").filter(e -> e.contains("aws-chunked")).isPresent()
                        ? unchunk(body) : body;
                Optional<String> encryption = http.firstMatchingHeader("x-amz-server-side-encryption");
                objects.put(object, new StoredObject(content, http.firstMatchingHeader("Content-Type").orElse(
                        "binary/octet-stream"), encryption.orElse("AES256")));
                Map<String, String> headers = new TreeMap<>();
                headers.put("ETag", "\"" + md5Hex(content) + "\"");
                // S3 encrypts every new object (SSE-S3 by default) and says so.
                headers.put("x-amz-server-side-encryption", encryption.orElse("AES256"));
                if (http.firstMatchingHeader("x-amz-trailer").filter("x-amz-checksum-crc32"::equalsIgnoreCase).isPresent()
                        || http.firstMatchingHeader("x-amz-checksum-crc32").isPresent()) {
                    headers.put("x-amz-checksum-crc32", crc32Base64(content));
                }
                return new Reply("PutObject", 200, null, new byte[0], headers);
            }
            case GET -> {
                StoredObject stored = objects.get(object);
                if (stored == null) {
                    return new Reply("GetObject", 404, "application/xml", ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            + "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
                            .getBytes(StandardCharsets.UTF_8), Map.of());
                }
                byte[] content = stored.content();
                Map<String, String> headers = new TreeMap<>();
                headers.put("ETag", "\"" + md5Hex(content) + "\"");
                headers.put("x-amz-server-side-encryption", stored.encryption());
                headers.put("Last-Modified", "Thu, 03 Dec 2026 00:00:00 GMT");
                headers.put("Accept-Ranges", "bytes");
                if (http.firstMatchingHeader("x-amz-checksum-mode").filter("ENABLED"::equalsIgnoreCase).isPresent()) {
                    headers.put("x-amz-checksum-crc32", crc32Base64(content));
                    headers.put("x-amz-checksum-type", "FULL_OBJECT");
                }
                return new Reply("GetObject", 200, stored.contentType(), content, headers);
            }
            default -> {
                return new Reply(http.method().name(), 405, "application/xml", ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        + "<Error><Code>MethodNotAllowed</Code><Message>not answered by the priming stand-in</Message></Error>")
                        .getBytes(StandardCharsets.UTF_8), Map.of());
            }
        }
    }

    /** The payload of an aws-chunked body: size lines (hex, optional signature), data, then the trailer. */
    private static byte[] unchunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int lineEnd = indexOfCrlf(body, at);
            String sizeLine = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                break;
            }
            out.write(body, at, size);
            at += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("aws-chunked body without a line end at byte " + from);
    }

    // --- shared ---

    /** The signing name in the SigV4 credential scope: the service the SDK means, whatever the endpoint. */
    private static String service(SdkHttpRequest http) {
        Optional<String> authorization = http.firstMatchingHeader("Authorization");
        if (authorization.isPresent()) {
            Matcher scope = SCOPE.matcher(authorization.get());
            if (scope.find()) {
                return scope.group(1);
            }
        }
        return "unsigned";
    }

    private static String operation(SdkHttpRequest http, String prefix) {
        String target = http.firstMatchingHeader("X-Amz-Target").orElse("");
        return target.startsWith(prefix) ? target.substring(prefix.length()) : target;
    }

    private static Reply unknownOperation(String operation, String contentType) {
        return new Reply(operation, 400, contentType, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\","
                + "\"message\":\"" + operation + " is not answered by the priming stand-in\"}", Map.of());
    }

    private static Reply json(String operation, String body, String contentType) {
        return new Reply(operation, 200, contentType, body, Map.of());
    }

    private static Map<String, String> form(byte[] body) {
        Map<String, String> fields = new TreeMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    private static byte[] read(HttpExecuteRequest request) {
        if (request.contentStreamProvider().isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = request.contentStreamProvider().get().newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String md5Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String crc32Base64(byte[] content) {
        CRC32 crc = new CRC32();
        crc.update(content);
        long value = crc.getValue();
        return Base64.getEncoder().encodeToString(new byte[] {
                (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    private record StoredObject(byte[] content, String contentType, String encryption) {
    }

    private record Reply(String operation, int status, String contentType, byte[] body, Map<String, String> headers) {
        Reply(String operation, int status, String contentType, String body, Map<String, String> headers) {
            this(operation, status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
        }

        Reply with(String header, String value) {
            Map<String, String> more = new TreeMap<>(headers);
            more.put(header, value);
            return new Reply(operation, status, contentType, body, more);
        }
    }

    /** Reading the JSON protocols' request bodies and quoting values for the answers. */
    static final class Json {
        private Json() {
        }

        static String quote(String value) {
            try {
                return MAPPER.writeValueAsString(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static final ObjectMapper MAPPER = new ObjectMapper();

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(byte[] body) {
            try {
                return MAPPER.readValue(body, Map.class);
            } catch (IOException e) {
                throw new IllegalArgumentException("priming stand-in cannot read a request body as JSON", e);
            }
        }
    }
}
