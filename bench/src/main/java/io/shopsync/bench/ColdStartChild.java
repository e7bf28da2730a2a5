package io.shopsync.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One cold start, in a fresh JVM: what Lambda's Java runtime does with a handler class (its no-arg
 * constructor, then events), timed. Runs on the function's jar plus this class only; it must not touch
 * anything of the bench module but the JDK and aws-lambda-java-core (which every handler jar carries).
 *
 * <p>Arguments: handler class, {@code plain} or {@code primed} (between construction and the first event, run
 * the handler's SnapStart hooks as Lambda does around its snapshot: {@code org.crac.Core.checkpointRestore()},
 * which the JVM's {@code -Dorg.crac.Core.Compat=io.shopsync.bench.crac} binds to {@link io.shopsync.bench.crac.Core}),
 * the first event's file, the warm event's file. Prints {@code RESULT construct prime first warm} in
 * nanoseconds, then {@code OUT1}/{@code OUT2}: each answer on one line, for the harness to check.
 */
public final class ColdStartChild {

    private ColdStartChild() {}

    public static void main(String[] args) throws Exception {
        String handlerClass = args[0];
        boolean primed = "primed".equals(args[1]);
        byte[] first = Files.readAllBytes(Path.of(args[2]));
        byte[] warm = Files.readAllBytes(Path.of(args[3]));

        long t0 = System.nanoTime();
        Object handler = Class.forName(handlerClass).getConstructor().newInstance();
        long t1 = System.nanoTime();
        if (primed) {
            Class.forName("org.crac.Core").getMethod("checkpointRestore").invoke(null);
        }
        long t2 = System.nanoTime();
        String firstAnswer = invoke(handler, first);
        long t3 = System.nanoTime();
        String warmAnswer = invoke(handler, warm);
        long t4 = System.nanoTime();
        System.out.println("RESULT " + (t1 - t0) + " " + (t2 - t1) + " " + (t3 - t2) + " " + (t4 - t3));
        System.out.println("OUT1 " + firstAnswer.replace('\n', ' '));
        System.out.println("OUT2 " + warmAnswer.replace('\n', ' '));
        System.out.flush();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String invoke(Object handler, byte[] event) throws Exception {
        Context context = new BenchContext();
        if (handler instanceof RequestStreamHandler stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.handleRequest(new ByteArrayInputStream(event), out, context);
            return out.toString(StandardCharsets.UTF_8);
        }
        // A POJO handler: Lambda's runtime reads the event into the declared type with Jackson; so does this,
        // with the Jackson the handler's jar ships (the peer's Powertools brings it).
        Class<?> mapperClass = Class.forName("com.fasterxml.jackson.databind.ObjectMapper");
        Object mapper = mapperClass.getConstructor().newInstance();
        Object input = mapperClass.getMethod("readValue", byte[].class, Class.class).invoke(mapper, event, Map.class);
        Object result = ((RequestHandler) handler).handleRequest(input, context);
        return (String) mapperClass.getMethod("writeValueAsString", Object.class).invoke(mapper, result);
    }

    /** The invocation context Lambda passes: a 30 s budget, a logger on standard error. */
    private static final class BenchContext implements Context {
        private final long deadline = System.currentTimeMillis() + 30_000;

        @Override
        public String getAwsRequestId() {
            return "bench-" + System.nanoTime();
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/bench";
        }

        @Override
        public String getLogStreamName() {
            return "bench";
        }

        @Override
        public String getFunctionName() {
            return "bench";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:bench";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return (int) Math.max(0, deadline - System.currentTimeMillis());
        }

        @Override
        public int getMemoryLimitInMB() {
            return 512;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.err.println(message);
                }

                @Override
                public void log(byte[] message) {
                    System.err.println(new String(message, StandardCharsets.UTF_8));
                }
            };
        }
    }
}
