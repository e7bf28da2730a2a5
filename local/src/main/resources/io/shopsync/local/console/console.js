// The local stack's console: polls the JSON endpoints under /_local/ once a second and renders them.
// Everything shown comes from webhooks a stranger can send, so it is written with textContent only,
// never innerHTML; the page's Content-Security-Policy allows no inline script either.
"use strict";

const POLL_MILLIS = 1000;
const COUNTS = ["received", "delivered", "duplicate", "stale", "retried", "deadLettered", "inFlight", "inDeadLetterQueue"];
const DLQ_META = ["topic", "shop", "webhookId", "entity", "stage", "category", "target"];

let shownDeadLetters = "";
let shownOutbox = 0;
let shownAlerts = 0;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(path + " answered " + response.status);
  return response.json();
}

function renderFlows(status) {
  const body = document.querySelector("#flows tbody");
  const retries = [];
  for (const [name, counts] of Object.entries(status.flows || {})) {
    let row = body.querySelector("tr[data-flow=\"" + CSS.escape(name) + "\"]");
    if (!row) {
      row = element("tr");
      row.dataset.flow = name;
      row.append(element("th", "flow", name));
      row.firstChild.scope = "row";
      for (const count of COUNTS) {
        const cell = element("td", "", "0");
        cell.dataset.count = count;
        row.append(cell);
      }
      body.append(row);
    }
    for (const count of COUNTS) {
      const cell = row.querySelector("td[data-count=\"" + count + "\"]");
      const value = Number(counts[count] || 0);
      cell.textContent = String(value);
      cell.classList.toggle("attention", value > 0 && (count === "inDeadLetterQueue" || count === "retried"));
    }
    if (counts.lastRetryReason) retries.push(name + ": " + counts.lastRetryReason);
  }
  document.getElementById("last-retry").textContent = retries.length ? "Latest retry: " + retries.join("; ") : "";
}

function renderDeadLetters(dlq) {
  const key = JSON.stringify(dlq);
  if (key === shownDeadLetters) return; // unchanged: keep the buttons the user may be about to click
  shownDeadLetters = key;
  const container = document.getElementById("dlq");
  container.replaceChildren();
  let any = false;
  for (const [flow, letters] of Object.entries(dlq)) {
    if (!letters.length) continue;
    any = true;
    const section = element("div", "dlq-flow");
    section.dataset.flow = flow;
    const title = element("h3", "", flow + " (" + letters.length + ") ");
    const all = element("button", "redrive-all", "Redrive all " + letters.length);
    all.addEventListener("click", () => redrive({ flow: flow }, all));
    title.append(all);
    section.append(title);
    const list = element("ul");
    for (const letter of letters) {
      const item = element("li", "dead-letter");
      item.dataset.flow = flow;
      item.dataset.messageId = letter.messageId || "";
      item.append(element("span", "reason", letter.reason || "(no reason recorded)"));
      const meta = DLQ_META.filter((field) => letter[field]).map((field) => field + " " + letter[field]).join(" · ");
      item.append(element("span", "meta", meta));
      const button = element("button", "redrive", "Redrive");
      button.addEventListener("click", () => redrive({ flow: flow, messageId: letter.messageId }, button));
      item.append(button);
      list.append(item);
    }
    section.append(list);
    container.append(section);
  }
  if (!any) container.append(element("p", "empty note", "No dead letters."));
}

async function redrive(request, button) {
  button.disabled = true;
  const result = document.getElementById("redrive-result");
  try {
    // Same origin: the browser adds our Origin, which the server requires of every state-changing request.
    const response = await fetch("/_local/dlq/redrive", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    const answer = await response.json();
    result.textContent = answer.message || ("redrive answered " + response.status);
  } catch (error) {
    result.textContent = "redrive failed: " + error.message;
  } finally {
    button.disabled = false;
    refresh();
  }
}

function renderAlerts(alerts) {
  const list = document.getElementById("alerts");
  for (const alert of alerts.slice(shownAlerts)) {
    const item = element("li", "alert");
    item.dataset.flow = alert.flow || "";
    item.append(element("strong", "subject", alert.subject));
    item.append(element("pre", "text", alert.text));
    list.append(item);
  }
  shownAlerts = alerts.length;
}

function renderOutbox(requests) {
  const list = document.getElementById("outbox");
  for (const request of requests.slice(shownOutbox)) {
    let path = request.url;
    try {
      const url = new URL(request.url);
      path = url.pathname + url.search;
    } catch (ignored) {
      // not a URL: show it as it is
    }
    const item = element("li", "request");
    item.dataset.flow = request.flow || "";
    const details = element("details");
    const summary = element("summary");
    summary.append(element("span", "target", request.target), element("span", "method", request.method),
        element("span", "path", path), element("span", "note", " (" + request.flow + ")"));
    details.append(summary);
    const body = request.body === null || request.body === undefined ? "(no body)"
        : typeof request.body === "string" ? request.body : JSON.stringify(request.body, null, 2);
    details.append(element("pre", "body", body));
    item.append(details);
    list.append(item);
  }
  shownOutbox = requests.length;
}

let refreshing = false;
async function refresh() {
  if (refreshing) return; // a slow answer must not pile up requests
  refreshing = true;
  const connection = document.getElementById("connection");
  try {
    const [status, dlq, alerts, outbox] = await Promise.all([getJson("/_local/status"), getJson("/_local/dlq"),
      getJson("/_local/alerts"), getJson("/_local/outbox")]);
    renderFlows(status);
    renderDeadLetters(dlq);
    renderAlerts(alerts);
    renderOutbox(outbox);
    connection.textContent = "live: updated " + new Date().toLocaleTimeString();
    connection.classList.remove("down");
  } catch (error) {
    connection.textContent = "the local stack does not answer (" + error.message + "): is scripts/local still running?";
    connection.classList.add("down");
  } finally {
    refreshing = false;
  }
}

// What the search box names, as GET /_local/trace's parameters: "sku:SKU" (all locations), "sku:SKU@LOCATION" (one),
// an order id (digits), an order's name ("#1001"), else a webhook id.
function traceParameters(text) {
  if (text.toLowerCase().startsWith("sku:")) {
    const sku = text.substring(4).trim();
    const at = sku.match(/^(.*)@([1-9][0-9]*)$/);
    return at ? { sku: at[1].trim(), location: at[2] } : { sku: sku };
  }
  if (text.startsWith("#")) {
    return { name: text };
  }
  return /^[0-9]+$/.test(text) ? { order: text } : { webhook: text };
}

// The trace of one record, as the CLI prints it (format=text); a 404 is the answer "no webhook for this record".
async function trace(event) {
  event.preventDefault();
  const shop = document.getElementById("trace-shop").value.trim();
  const record = document.getElementById("trace-order").value.trim();
  const result = document.getElementById("trace-result");
  const button = document.getElementById("trace-button");
  button.disabled = true;
  result.hidden = false;
  result.textContent = "tracing " + record + "...";
  try {
    const query = new URLSearchParams(Object.assign({ shop: shop }, traceParameters(record), { format: "text" }));
    const response = await fetch("/_local/trace?" + query.toString(), { cache: "no-store" });
    const type = response.headers.get("content-type") || "";
    result.textContent = type.startsWith("text/plain") ? await response.text()
        : ((await response.json()).message || "trace answered " + response.status);
    result.classList.toggle("unknown", !response.ok);
  } catch (error) {
    result.textContent = "trace failed: " + error.message;
    result.classList.add("unknown");
  } finally {
    button.disabled = false;
  }
}

function start() {
  document.getElementById("trace-form").addEventListener("submit", trace);
  refresh();
  setInterval(refresh, POLL_MILLIS);
}

document.addEventListener("DOMContentLoaded", start);
