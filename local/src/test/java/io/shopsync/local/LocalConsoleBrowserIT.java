package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * scripts/test installs through scripts/browser-setup; never a browser a library downloads), driven by
 * Selenium against a local stack started in this JVM. The tests run in order, as a person would use it: the
 * page shows the flows, a replay of events/ moves the counts, a dead letter shows its reason and an alert and
 * the redrive button moves it back, and hostile text in a payload is shown as text.
 *
 * <p>Without a browser the tests are skipped with the reason (and fail when CI=true): install it with
 * {@code scripts/browser-setup}, or point SHOPSYNC_CHROMIUM and SHOPSYNC_CHROMEDRIVER at one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalConsoleBrowserIT {

    private static final List<String> FLOWS = List.of("order-to-crm", "stock-to-inventory", "fulfilment-to-crm");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path logs;

    private static RunningStack stack;
    private static String url;
    private static WebDriver browser;

    @BeforeAll
    static void startTheStackAndTheBrowser() {
        Optional<Path> chromium = executable("SHOPSYNC_CHROMIUM", "chromium", "chromium-browser");
        Optional<Path> chromedriver = executable("SHOPSYNC_CHROMEDRIVER", "chromedriver");
        if (chromium.isEmpty() || chromedriver.isEmpty()) {
            String reason = "NO BROWSER: the console's browser test needs Debian's chromium and chromedriver on PATH"
                    + " (found chromium: " + chromium.map(Path::toString).orElse("no") + ", chromedriver: "
                    + chromedriver.map(Path::toString).orElse("no") + "); run scripts/browser-setup as root, or apt-get"
                    + " install -y chromium chromium-driver";
            System.err.println("LocalConsoleBrowserIT: " + reason);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(reason + " (CI=true: a missing browser fails)");
            }
            Assumptions.abort(reason);
        }
        stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                logs.resolve("local-stack.log"), true, Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        url = stack.url();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,2000", "--no-first-run", "--no-default-browser-check");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.get().toFile()).usingAnyFreePort()
                .withLogFile(logs.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.get(url + "/");
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void thePage_showsEveryFlowWithItsCounts_andThatItIsLive() {
        waitUntil("a row per flow", () -> browser.findElements(By.cssSelector("#flows tbody tr")).size() == FLOWS.size());

        assertThat(browser.getTitle()).isEqualTo("Shopsync local console");
        assertThat(browser.findElements(By.cssSelector("#flows tbody tr th")).stream().map(WebElement::getText))
                .containsExactlyElementsOf(FLOWS);
        for (String flow : FLOWS) {
            for (String count : List.of("received", "delivered", "duplicate", "stale", "retried", "deadLettered",
                    "inFlight", "inDeadLetterQueue")) {
                assertThat(count(flow, count)).as(flow + " " + count).isZero();
            }
        }
        waitUntil("the live line", () -> browser.findElement(By.id("connection")).getText().startsWith("live: updated"));
        assertThat(browser.findElement(By.id("dlq")).getText()).isEqualTo("No dead letters.");
    }

    @Test
    @Order(2)
    void aReplayOfTheSamples_makesTheCountsMove_andListsTheOutbox_withCollapsedBodies() {
        for (String flow : FLOWS) {
            for (Path sample : SignedWebhooks.samples(flow)) {
                assertThat(SignedWebhooks.post(url, SignedWebhooks.event(sample), RunningStack.DEV_SECRET).statusCode())
                        .as(sample.toString()).isEqualTo(200);
            }
        }

        for (String flow : FLOWS) {
            int samples = SignedWebhooks.samples(flow).size();
            waitUntil(flow + " settles every sample", () -> count(flow, "received") == samples
                    && count(flow, "delivered") + count(flow, "stale") + count(flow, "duplicate") == samples
                    && count(flow, "inFlight") == 0);
            assertThat(count(flow, "delivered")).as(flow).isPositive();
        }
        List<WebElement> requests = browser.findElements(By.cssSelector("#outbox li.request"));
        assertThat(requests).hasSize(SignedWebhooks.get(url + "/_local/outbox").size());
        WebElement contacts = requests.stream().filter(r -> r.getText().contains("/crm/objects/2026-09/contacts/batch/upsert"))
                .findFirst().orElseThrow(() -> new AssertionError("no HubSpot contact upsert in the outbox list"));
        assertThat(contacts.findElement(By.className("target")).getText()).isEqualTo("hubspot");
        assertThat(contacts.findElement(By.className("method")).getText()).isEqualTo("POST");
        WebElement body = contacts.findElement(By.cssSelector("pre.body"));
        assertThat(body.isDisplayed()).as("the body is collapsed at first").isFalse();
        contacts.findElement(By.tagName("summary")).click();
        waitUntil("the body opens", body::isDisplayed);
        assertThat(body.getText()).contains("\"inputs\"", "zoe.adams@example.com");
    }

    @Test
    @Order(3)
    void aDeadLetter_showsItsReasonAndAnAlert_andItsRedriveButtonMovesItBack() {
        String item = "437290762312599001";
        InventoryOutage.answer(stack, item, 401);
        long delivered = count("stock-to-inventory", "delivered");
        assertThat(SignedWebhooks.post(url, InventoryOutage.levelUpdateFor(item), RunningStack.DEV_SECRET).statusCode())
                .isEqualTo(200);

        waitUntil("the dead letter is listed", () -> deadLetter(item).isPresent());
        WebElement letter = deadLetter(item).orElseThrow();
        assertThat(letter.findElement(By.className("reason")).getText()).contains("401", "webhook");
        assertThat(letter.findElement(By.className("meta")).getText()).contains("inventory_levels/update",
                "shopsync-demo.myshopify.com", "target webhook");
        assertThat(count("stock-to-inventory", "inDeadLetterQueue")).isEqualTo(1);
        assertThat(count("stock-to-inventory", "deadLettered")).isEqualTo(1);
        waitUntil("the alert is shown", () -> browser.findElements(By.cssSelector("#alerts li.alert")).stream()
                .anyMatch(a -> a.getText().startsWith("Shopsync stock-to-inventory: dead-lettered")));
        assertThat(browser.findElement(By.cssSelector("#alerts li.alert pre.text")).getText()).contains("What to do:");

        InventoryOutage.fixed(stack);
        letter.findElement(By.cssSelector("button.redrive")).click();

        waitUntil("the dead letter leaves the list", () -> deadLetter(item).isEmpty()
                && count("stock-to-inventory", "inDeadLetterQueue") == 0);
        waitUntil("the fixed target gets it", () -> count("stock-to-inventory", "delivered") == delivered + 1);
        assertThat(browser.findElement(By.id("redrive-result")).getText())
                .startsWith("1 dead letter of stock-to-inventory moved back to its work queue");
        assertThat(browser.findElement(By.id("dlq")).getText()).isEqualTo("No dead letters.");
    }

    @Test
    @Order(4)
    void markupInAPayload_isShownAsText_neverRunOrParsed() {
        String hostile = "<img src=x onerror=document.title='pwned'><b>Zoë</b>";
        ObjectNode event = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-create.json"));
        // A newer version of the order (a later updated_at) under a new webhook, with markup as the customer's name.
        event.put("body", event.path("body").asText().replace("Zoë", hostile)
                .replace("\"updated_at\":\"2026-11-27T05:15:45-05:00\"", "\"updated_at\":\"2026-11-28T05:15:45-05:00\""));
        ((ObjectNode) event.path("headers")).put("x-shopify-webhook-id", UUID.randomUUID().toString())
                .put("x-shopify-event-id", UUID.randomUUID().toString());
        int before = browser.findElements(By.cssSelector("#outbox li.request")).size();

        assertThat(SignedWebhooks.post(url, event, RunningStack.DEV_SECRET).statusCode()).isEqualTo(200);

        waitUntil("the new requests are listed", () -> browser.findElements(By.cssSelector("#outbox li.request")).size() > before);
        List<WebElement> added = browser.findElements(By.cssSelector("#outbox li.request")).subList(before,
                browser.findElements(By.cssSelector("#outbox li.request")).size());
        WebElement naming = added.stream().filter(r -> r.findElement(By.cssSelector("pre.body")).getAttribute("textContent")
                .contains(hostile)).findFirst().orElseThrow(() -> new AssertionError("no request names the customer"));
        naming.findElement(By.tagName("summary")).click();
        WebElement body = naming.findElement(By.cssSelector("pre.body"));
        waitUntil("the body opens", body::isDisplayed);
        assertThat(body.getText()).contains(hostile);
        assertThat(browser.findElements(By.cssSelector("#outbox img, #outbox b"))).as("markup became elements").isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Shopsync local console");
        assertThat(((JavascriptExecutor) browser).executeScript("return document.querySelectorAll('img').length"))
                .isEqualTo(0L);
    }

    private static Optional<WebElement> deadLetter(String item) {
        return browser.findElements(By.cssSelector("#dlq li.dead-letter[data-flow='stock-to-inventory']")).stream()
                .filter(letter -> letter.findElement(By.className("meta")).getText().contains(item)).findFirst();
    }

    private static long count(String flow, String count) {
        return Long.parseLong(browser.findElement(By.cssSelector("#flows tr[data-flow='" + flow + "'] td[data-count='"
                + count + "']")).getText());
    }

    @Test
    @Order(5)
    void theSearchBox_tracesAnOrder_andSaysWhereToLookForOneItNeverSaw() {
        WebElement order = browser.findElement(By.id("trace-order"));
        order.clear();
        order.sendKeys("820982911946154508");
        browser.findElement(By.id("trace-button")).click();
        WebElement result = browser.findElement(By.id("trace-result"));
        waitUntil("the trace is shown", () -> result.getText().contains("newest first"));

        assertThat(result.getText()).contains("order 820982911946154508 at shopsync-demo.myshopify.com",
                "order-to-crm -> hubspot   watermark: updated_at", "orders/create  webhook f1e47194-bdbf-5fad-9917-193e05f15a92",
                "In a dead-letter queue now: no");

        order.clear();
        order.sendKeys("5123456789012");
        browser.findElement(By.id("trace-button")).click();
        waitUntil("the unknown order's answer", () -> result.getText().startsWith("no webhook for order 5123456789012"));
        assertThat(result.getAttribute("class")).contains("unknown");
    }

    @Test
    @Order(6)
    void theSearchBox_tracesASkuAtOneLocation_aWebhookById_andAnOrderByName() {
        WebElement record = browser.findElement(By.id("trace-order"));
        WebElement result = browser.findElement(By.id("trace-result"));
        record.clear();
        record.sendKeys("sku:SS-MCS-OAT-M@655441491");
        browser.findElement(By.id("trace-button")).click();
        waitUntil("the SKU's trace is shown", () -> result.getText().startsWith("SKU SS-MCS-OAT-M"));
        assertThat(result.getText()).contains("inventory item 437290762312585471 at location 655441491",
                "stock-to-inventory -> webhook", "inventory_levels/update  webhook bec90c6c-369b-51d0-b103-9529bc85193d");

        record.clear();
        record.sendKeys("3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7");
        browser.findElement(By.id("trace-button")).click();
        waitUntil("the webhook's trace is shown", () -> result.getText().startsWith("webhook 3eb951a6"));
        assertThat(result.getText()).contains("(order 820982911946154508) at shopsync-demo.myshopify.com", "<- this webhook");
        assertThat(result.getAttribute("class")).doesNotContain("unknown");

        record.clear();
        record.sendKeys("#1001");
        browser.findElement(By.id("trace-button")).click();
        waitUntil("the named order's trace is shown", () -> result.getText().startsWith("order #1001"));
        assertThat(result.getText()).contains("order #1001 (id 820982911946154508) at shopsync-demo.myshopify.com");
    }

    private static void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, WAIT).withMessage(() -> what + "; the page shows: " + browser.findElement(By.tagName("main"))
                .getText()).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(driver -> condition.getAsBoolean());
    }

    /** An override from the environment, else the first of the names on PATH. */
    private static Optional<Path> executable(String variable, String... names) {
        String override = System.getenv(variable);
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(names).flatMap(name -> Stream.of(path.split(File.pathSeparator))
                        .filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir, name)))
                .filter(Files::isExecutable).findFirst();
    }
}
