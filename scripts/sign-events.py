#!/usr/bin/env python3
"""Wrap the Shopify webhook payload fixtures into signed API Gateway events.

For every entry of ``EVENTS`` below this script:

1. reads ``events/payloads/<payload>.json`` (pretty-printed, kept readable in git)
   with ``json.loads``, so ids above 2^53 stay exact Python ints;
2. serialises it compactly, the way Shopify sends a webhook body
   (``separators=(",", ":")``, ``ensure_ascii=False``) and encodes it as UTF-8;
3. signs those exact bytes with HMAC-SHA256, key = UTF-8 bytes of the secret,
   digest base64-encoded (standard alphabet, with padding), as Shopify does for
   the ``X-Shopify-Hmac-Sha256`` header;
4. writes an API Gateway HTTP API (payload format 2.0) proxy event to
   ``events/<flow>/<name>.json``. Header names are lower-case, as HTTP API
   delivers them, and ``body`` is the compact string, byte for byte what was signed;
5. re-reads the written file and checks the signature again over
   ``event["body"].encode("utf-8")``.

Output is deterministic: webhook/event ids are uuid5 values derived from the
output name, timestamps come from the table, so re-running gives identical files.

The default secret ``shopsync-local-dev-secret`` is a local development value
only. It is not, and must never become, a real Shopify client secret.

Usage (from the repository root or anywhere else):
    python3 scripts/sign-events.py
    python3 scripts/sign-events.py --secret some-other-local-secret

Standard library only.
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEV_SECRET = "shopsync-local-dev-secret"

REPO_ROOT = Path(__file__).resolve().parent.parent
EVENTS_DIR = REPO_ROOT / "events"
PAYLOADS_DIR = EVENTS_DIR / "payloads"

SHOP_DOMAIN = "shopsync-demo.myshopify.com"
API_VERSION = "2026-10"
USER_AGENT = "Shopify-Captain-Hook"
SOURCE_IP = "34.73.0.1"

ACCOUNT_ID = "123456789012"
API_ID = "a1b2c3d4e5"
DOMAIN_NAME = f"{API_ID}.execute-api.us-east-1.amazonaws.com"

# Namespace for the deterministic uuid5 values (webhook id, event id).
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://shopsync.local/events")

ORDERS = ("order-to-crm", "/webhooks/orders")
STOCK = ("stock-to-inventory", "/webhooks/inventory")
FULFILMENTS = ("fulfilment-to-crm", "/webhooks/fulfilments")

# payload file -> (flow, route path, topic, output name, X-Shopify-Triggered-At)
# Triggered-at is a little after the payload's updated_at (nanosecond precision,
# like real deliveries) and distinct per file.
EVENTS = {
    "orders-create.json": (*ORDERS, "orders/create", "orders-create",
                           "2026-11-27T10:15:47.234647458Z"),
    "orders-paid.json": (*ORDERS, "orders/paid", "orders-paid",
                         "2026-11-27T10:15:47.918305172Z"),
    "orders-updated.json": (*ORDERS, "orders/updated", "orders-updated",
                            "2026-11-27T14:42:19.506183927Z"),
    "refunds-create.json": (*ORDERS, "refunds/create", "refunds-create",
                            "2026-11-27T15:03:28.384910256Z"),
    "orders-cancelled.json": (*ORDERS, "orders/cancelled", "orders-cancelled",
                              "2026-11-27T15:03:29.071845213Z"),
    "orders-guest-pos.json": (*ORDERS, "orders/create", "orders-guest-pos",
                              "2026-11-27T18:48:10.662047381Z"),
    "inventory-levels-update.json": (*STOCK, "inventory_levels/update",
                                     "inventory-levels-update",
                                     "2026-11-27T16:30:00.118502736Z"),
    "inventory-items-update.json": (*STOCK, "inventory_items/update",
                                    "inventory-items-update",
                                    "2026-11-27T16:31:12.803361095Z"),
    "fulfillments-create.json": (*FULFILMENTS, "fulfillments/create",
                                 "fulfillments-create",
                                 "2026-11-28T13:03:12.441279603Z"),
    "fulfillments-update.json": (*FULFILMENTS, "fulfillments/update",
                                 "fulfillments-update",
                                 "2026-11-29T00:47:06.295018744Z"),
}


def compact_body(payload):
    """Serialise like Shopify: no whitespace, raw UTF-8 (no \\u escapes)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def sign(body_bytes, secret):
    digest = hmac.new(secret.encode("utf-8"), body_bytes, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body_bytes, header_b64, secret):
    try:
        received = base64.b64decode(header_b64, validate=True)
    except ValueError:
        return False
    expected = hmac.new(secret.encode("utf-8"), body_bytes, hashlib.sha256).digest()
    return hmac.compare_digest(expected, received)


def parse_triggered_at(value):
    """Parse '2026-11-27T10:15:47.234647458Z' (nanoseconds) into an aware datetime."""
    head, frac = value.rstrip("Z").split(".")
    dt = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return dt + timedelta(microseconds=int(frac[:6].ljust(6, "0")))


def resource_id_header(topic, payload):
    """Per-topic resource header observed on real deliveries (X-Shopify-Order-Id)."""
    if topic.startswith("orders/"):
        return {"x-shopify-order-id": str(payload["id"])}
    if topic.startswith(("refunds/", "fulfillments/")):
        return {"x-shopify-order-id": str(payload["order_id"])}
    return {}  # inventory topics: not sure Shopify sends a resource header, so none


def digest_int(name, salt, modulo):
    h = hashlib.sha256(f"{salt}:{name}".encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") % modulo


def build_event(payload, body, signature, flow, path, topic, name, triggered_at):
    triggered = parse_triggered_at(triggered_at)
    # API Gateway receives the request a little after Shopify triggers it.
    received = triggered + timedelta(milliseconds=120 + digest_int(name, "latency", 360))
    epoch_ms = int(received.timestamp() * 1000)
    request_id = base64.b64encode(
        hashlib.sha256(f"request:{name}".encode("utf-8")).digest()[:11]).decode("ascii")
    trace_hex = hashlib.sha256(f"trace:{name}".encode("utf-8")).hexdigest()[:24]

    headers = {
        "content-length": str(len(body.encode("utf-8"))),
        "content-type": "application/json",
        "host": DOMAIN_NAME,
        "user-agent": USER_AGENT,
        "x-amzn-trace-id": f"Root=1-{int(received.timestamp()):08x}-{trace_hex}",
        "x-forwarded-for": SOURCE_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        "x-shopify-api-version": API_VERSION,
        "x-shopify-event-id": str(uuid.uuid5(UUID_NAMESPACE, f"event-id/{name}")),
        "x-shopify-hmac-sha256": signature,
    }
    headers.update(resource_id_header(topic, payload))
    headers.update({
        "x-shopify-shop-domain": SHOP_DOMAIN,
        "x-shopify-topic": topic,
        "x-shopify-triggered-at": triggered_at,
        "x-shopify-webhook-id": str(uuid.uuid5(UUID_NAMESPACE, f"webhook-id/{name}")),
    })

    return {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": DOMAIN_NAME,
            "domainPrefix": API_ID,
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": USER_AGENT,
            },
            "requestId": request_id,
            "routeKey": f"POST {path}",
            "stage": "$default",
            "time": received.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": epoch_ms,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def check_timestamps(payload_name, payload, triggered_at):
    """Shopify triggers a delivery after the resource changed; keep fixtures honest."""
    stamp = payload.get("updated_at") or payload.get("created_at")
    if not stamp:
        return
    changed = datetime.fromisoformat(stamp)
    if parse_triggered_at(triggered_at) < changed:
        sys.exit(f"{payload_name}: triggered-at {triggered_at} is before updated_at {stamp}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret", default=DEV_SECRET,
                        help="HMAC key (default: the local dev secret %(default)r)")
    args = parser.parse_args(argv)

    for payload_name, (flow, path, topic, name, triggered_at) in EVENTS.items():
        payload = json.loads((PAYLOADS_DIR / payload_name).read_text(encoding="utf-8"))
        check_timestamps(payload_name, payload, triggered_at)

        body = compact_body(payload)
        body_bytes = body.encode("utf-8")
        signature = sign(body_bytes, args.secret)
        event = build_event(payload, body, signature, flow, path, topic, name, triggered_at)

        out = EVENTS_DIR / flow / f"{name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

        # Round-trip check on what was actually written.
        written = json.loads(out.read_text(encoding="utf-8"))
        written_body = written["body"].encode("utf-8")
        header = written["headers"]["x-shopify-hmac-sha256"]
        if not verify(written_body, header, args.secret) or json.loads(written["body"]) != payload:
            sys.exit(f"{out}: signature or body check FAILED")
        if written["headers"]["content-length"] != str(len(written_body)):
            sys.exit(f"{out}: content-length mismatch")

        print(f"wrote {out.relative_to(REPO_ROOT)}  topic={topic}  "
              f"bytes={len(body_bytes)}  hmac={signature}  verified")
    write_sqs_samples()
    write_eventbridge_samples()


# The queue trigger's sample: the envelope intake would queue for the first event of each flow,
# wrapped in a Lambda SQS event (events/<flow>/sqs-delivery.json). The envelope format is
# io.shopsync.envelope.EnvelopeCodec's; EventFilesTest decodes these files with it.
SQS_SAMPLES = {
    "order-to-crm": ("orders-create", "shopsync-demo.myshopify.com/order/820982911946154508"),
    "stock-to-inventory": ("inventory-levels-update",
                           "shopsync-demo.myshopify.com/inventory-level/437290762312585471/655441491"),
    "fulfilment-to-crm": ("fulfillments-create", "shopsync-demo.myshopify.com/order/820982911946154508"),
}


def write_sqs_samples():
    for flow, (name, entity) in SQS_SAMPLES.items():
        api_event = json.loads((EVENTS_DIR / flow / f"{name}.json").read_text(encoding="utf-8"))
        headers = api_event["headers"]
        shop = headers["x-shopify-shop-domain"]
        envelope = {
            "v": 1,
            "flow": flow,
            "topic": headers["x-shopify-topic"],
            "shop": shop,
            "webhookId": headers["x-shopify-webhook-id"],
            "eventId": headers["x-shopify-event-id"],
            "triggeredAt": headers["x-shopify-triggered-at"],
            "apiVersion": headers["x-shopify-api-version"],
            "receivedAt": "2026-11-27T10:15:48.120Z",
            "entity": entity,
            "body": api_event["body"],
        }
        message_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"shopsync-sqs/{flow}/{name}"))
        record = {
            "messageId": message_id,
            "receiptHandle": "AQEB" + message_id.replace("-", ""),
            "body": json.dumps(envelope, separators=(",", ":"), ensure_ascii=False),
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1795860948120",
                "SequenceNumber": "18889977966366210048",
                "MessageGroupId": entity,
                "SenderId": "AROAEXAMPLE:shopsync-" + flow,
                "MessageDeduplicationId": f"{shop}:{headers['x-shopify-webhook-id']}",
                "ApproximateFirstReceiveTimestamp": "1795860948130",
            },
            "messageAttributes": {
                key: {"stringValue": value, "stringListValues": [], "binaryListValues": [], "dataType": "String"}
                for key, value in (("flow", flow), ("shop", shop), ("topic", envelope["topic"]),
                                   ("webhookId", envelope["webhookId"]), ("entity", entity))
            },
            "md5OfBody": hashlib.md5(json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
                                     .encode("utf-8")).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:shopsync-{flow}.fifo",
            "awsRegion": "us-east-1",
        }
        out = EVENTS_DIR / flow / "sqs-delivery.json"
        out.write_text(json.dumps({"Records": [record]}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(REPO_ROOT)}  (queue trigger: envelope of {name})")


# Shopify's Amazon EventBridge delivery of the first webhook of each flow, as Lambda receives it from the
# rule (events/eventbridge/<flow>.json): the payload as a JSON object in detail.payload, the headers in
# detail.metadata under Shopify's own casing. Same event id as the HTTPS sample (one merchant action), its
# own webhook id (another subscription). No HMAC is needed on this path; Shopify sends one anyway.
EVENTBRIDGE_SAMPLES = {
    "order-to-crm": "orders-create",
    "stock-to-inventory": "inventory-levels-update",
    "fulfilment-to-crm": "fulfillments-create",
}
EVENTBRIDGE_SOURCE = "aws.partner/shopify.com/313726713857/shopsync"


def write_eventbridge_samples():
    out_dir = EVENTS_DIR / "eventbridge"
    out_dir.mkdir(parents=True, exist_ok=True)
    for flow, name in EVENTBRIDGE_SAMPLES.items():
        api_event = json.loads((EVENTS_DIR / flow / f"{name}.json").read_text(encoding="utf-8"))
        headers = api_event["headers"]
        payload = json.loads(api_event["body"])
        triggered = parse_triggered_at(headers["x-shopify-triggered-at"])
        metadata = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": headers["x-shopify-topic"],
            "X-Shopify-Shop-Domain": headers["x-shopify-shop-domain"],
            "X-Shopify-Hmac-SHA256": headers["x-shopify-hmac-sha256"],
            "X-Shopify-API-Version": headers["x-shopify-api-version"],
            "X-Shopify-Webhook-Id": str(uuid.uuid5(UUID_NAMESPACE, f"eventbridge/webhook-id/{name}")),
            "X-Shopify-Triggered-At": headers["x-shopify-triggered-at"],
            "X-Shopify-Event-Id": headers["x-shopify-event-id"],
        }
        if "x-shopify-order-id" in headers:
            metadata["X-Shopify-Order-Id"] = headers["x-shopify-order-id"]
        event = {
            "version": "0",
            "id": str(uuid.uuid5(UUID_NAMESPACE, f"eventbridge/event/{name}")),
            "detail-type": "shopifyWebhook",
            "source": EVENTBRIDGE_SOURCE,
            "account": ACCOUNT_ID,
            "time": triggered.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": {"payload": payload, "metadata": metadata},
        }
        out = out_dir / f"{flow}.json"
        out.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if json.loads(out.read_text(encoding="utf-8"))["detail"]["payload"] != payload:
            sys.exit(f"{out}: payload check FAILED")
        print(f"wrote {out.relative_to(REPO_ROOT)}  (EventBridge delivery of {name})")


if __name__ == "__main__":
    main()
