// Calls the Cookie API from another origin, the way a frontend would, and shows what happened.
// Every fetch sends credentials: "include", so the browser stores the cookies the API sets and
// sends them back; the API must list this page's origin in COOKIE_API_CORS_ORIGINS.

const DEFAULT_API = "http://127.0.0.1:8000";

const $ = (selector) => document.querySelector(selector);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, attributes);
  node.append(...children);
  return node;
}

function apiBase() {
  return $("#api-base").value.trim().replace(/\/+$/, "");
}

/** One request to the API; resolves to what the page may know of it, never rejects. */
async function callApi(method, path, body) {
  const url = apiBase() + path;
  const init = { method, credentials: "include" };
  if (body !== undefined) {
    // A JSON body makes this a preflighted request: the browser asks the API first.
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    const isJson = (response.headers.get("Content-Type") || "").includes("json");
    return { method, url, status: response.status, data: isJson && text ? JSON.parse(text) : text };
  } catch (error) {
    // The browser hides why; a refused CORS check and a server that is down look the same.
    return { method, url, error: String(error) };
  }
}

function cookiePath(name) {
  return `/cookies/${encodeURIComponent(name)}`;
}

function requestLine(call) {
  const status = call.error
    ? element("span", { className: "status failed", textContent: "no response" })
    : element("span", {
        className: `status ${call.status < 400 ? "ok" : "failed"}`,
        textContent: String(call.status),
        id: "result-status",
      });
  return element(
    "p",
    { className: "request" },
    element("span", { className: "method", textContent: call.method }),
    " ",
    element("code", { textContent: call.url }),
    " ",
    status,
  );
}

function networkError(call) {
  return element(
    "div",
    { className: "problem", id: "network-error" },
    element("p", { className: "title", textContent: "The browser did not let this page read the response." }),
    element("p", {
      textContent:
        `${call.error}. Either the API is not running at ${apiBase()}, or it does not list ` +
        `this page's origin (${location.origin}) in COOKIE_API_CORS_ORIGINS. For a request ` +
        "with a JSON body the browser asks first (a preflight) and, refused, never sends it.",
    }),
  );
}

function problemDetails(problem) {
  const errors = element("dl", { className: "errors" });
  for (const [field, messages] of Object.entries(problem.errors || {})) {
    errors.append(element("dt", { textContent: field === "_body" ? "body" : field }));
    for (const message of messages) errors.append(element("dd", { textContent: message }));
  }
  return element(
    "div",
    { className: "problem", id: "problem" },
    element("p", { className: "title", textContent: `${problem.status} ${problem.title}` }),
    // The detail of a 400 repeats its errors in one line: show them by field instead.
    problem.errors ? errors : element("p", { textContent: problem.detail }),
  );
}

const OUTCOME_TEXT = {
  stored: "Yes: this browser keeps it.",
  rejected: "No: this browser drops it, although the API answered 201.",
  unknown: "The request did not say enough to tell.",
};

function setCookieDetails(cookie) {
  const warnings = cookie.warnings.length
    ? element("ul", { id: "warnings" }, ...cookie.warnings.map((text) => element("li", { textContent: text })))
    : element("p", { id: "warnings", className: "hint", textContent: "None." });
  const outcome = element("p", { id: "outcome", textContent: OUTCOME_TEXT[cookie.outcome] });
  outcome.dataset.outcome = cookie.outcome;
  if (cookie.decided_by.length) {
    outcome.append(" Because of ", element("code", { textContent: cookie.decided_by.join(", ") }), ".");
  }
  return [
    element("h3", { textContent: "Will the browser keep it?" }),
    outcome,
    element("h3", { textContent: "Set-Cookie header the API sent" }),
    element("pre", { id: "set-cookie", textContent: cookie.set_cookie }),
    element("h3", { textContent: "Warnings" }),
    warnings,
  ];
}

function receivedCookie(cookie) {
  return element(
    "p",
    { id: "read-cookie" },
    "The request carried ",
    element("code", { textContent: cookie.name }),
    " = ",
    element("code", { className: "value", textContent: cookie.value ?? "(invalid signature)" }),
    cookie.signature === "none" ? "" : ` (signature: ${cookie.signature})`,
  );
}

/** Replace "What happened" with this call; data-sequence lets a reader wait for the next one. */
function show(call, ...details) {
  const result = $("#result");
  const parts = [requestLine(call)];
  if (call.error) {
    parts.push(networkError(call));
    result.dataset.outcome = "network-error";
  } else if (call.status >= 400 && call.data && typeof call.data === "object") {
    parts.push(problemDetails(call.data));
    result.dataset.outcome = "problem";
  } else {
    parts.push(...details);
    result.dataset.outcome = "ok";
  }
  if (call.data) {
    const body = typeof call.data === "string" ? call.data : JSON.stringify(call.data, null, 2);
    parts.push(
      element(
        "details",
        {},
        element("summary", { textContent: "Response body" }),
        element("pre", { id: "response-body", textContent: body }),
      ),
    );
  }
  result.replaceChildren(...parts);
  result.dataset.status = call.error ? "" : String(call.status);
  result.dataset.sequence = String(Number(result.dataset.sequence) + 1);
  $("#document-cookie").textContent = document.cookie || "(empty)";
}

function cookieRequest() {
  const body = {
    name: $("#set-name").value,
    value: $("#set-value").value,
    path: $("#set-path").value || "/",
    samesite: $("#set-samesite").value,
    httponly: $("#set-httponly").checked,
    partitioned: $("#set-partitioned").checked,
    signed: $("#set-signed").checked,
  };
  const maxAge = $("#set-max-age").value;
  if (maxAge !== "") body.max_age = Number(maxAge);
  const secure = $("#set-secure").value;
  if (secure) body.secure = secure === "true";
  return body;
}

async function setCookie() {
  const call = await callApi("POST", "/cookies", cookieRequest());
  show(call, ...(call.status === 201 ? setCookieDetails(call.data) : []));
}

async function readCookie(name) {
  const call = await callApi("GET", cookiePath(name));
  show(call, ...(call.status === 200 ? [receivedCookie(call.data)] : []));
}

async function deleteCookie(name) {
  const query = { path: $("#one-path").value || "/" };
  // A partitioned cookie is a cookie of its own: only a Partitioned deletion reaches it.
  if ($("#one-partitioned").checked) query.partitioned = "true";
  const call = await callApi("DELETE", `${cookiePath(name)}?${new URLSearchParams(query)}`);
  if (call.status !== 200) return show(call);
  // Did it go? The browser answers by what it sends next.
  const check = await callApi("GET", cookiePath(name));
  const gone = check.status === 404;
  const partitioned = call.data.partitioned;
  const verdict = gone
    ? `The browser no longer sends ${name}.`
    : `The browser still sends a cookie named ${name}: it was set with another path or domain, ` +
      (partitioned ? "or without Partitioned." : "or with Partitioned: tick Partitioned and delete again.");
  show(
    call,
    element("h3", { textContent: "Set-Cookie header the API sent" }),
    element("pre", { id: "deleted", textContent: call.data.set_cookie }),
    element("p", { id: "deletion-check", className: gone ? "" : "warning", textContent: verdict }),
  );
  $("#deletion-check").dataset.gone = String(gone);
}

function cookieRow(cookie) {
  const pick = () => {
    $("#one-name").value = cookie.name;
  };
  const read = element("button", { type: "button", className: "small", textContent: "Read" });
  read.addEventListener("click", () => (pick(), readCookie(cookie.name)));
  const remove = element("button", { type: "button", className: "small danger", textContent: "Delete" });
  remove.addEventListener("click", () => (pick(), deleteCookie(cookie.name)));
  return element(
    "tr",
    {},
    element("td", {}, element("code", { textContent: cookie.name })),
    element("td", {}, element("code", { textContent: cookie.value ?? "(invalid signature)" })),
    element("td", { textContent: cookie.signature }),
    element("td", { className: "actions" }, read, remove),
  );
}

async function listCookies() {
  const call = await callApi("GET", "/cookies");
  const cookies = call.status === 200 ? call.data.cookies : [];
  $("#cookie-table tbody").replaceChildren(...cookies.map(cookieRow));
  $("#cookie-table").hidden = cookies.length === 0;
  $("#no-cookies").hidden = call.status !== 200 || cookies.length > 0;
  show(call, element("p", { id: "listed", textContent: `${cookies.length} cookie(s) listed below.` }));
}

function useApiBase() {
  $("#docs-link").href = `${apiBase()}/docs`;
  const address = new URL(location.href);
  address.searchParams.set("api", apiBase());
  history.replaceState(null, "", address);
}

function start() {
  $("#page-origin").textContent = location.origin;
  $("#document-cookie").textContent = document.cookie || "(empty)";
  $("#api-base").value = new URLSearchParams(location.search).get("api") || DEFAULT_API;
  useApiBase();
  $("#api-base").addEventListener("change", useApiBase);
  $("#api-form").addEventListener("submit", (event) => (event.preventDefault(), useApiBase()));
  $("#set-form").addEventListener("submit", (event) => (event.preventDefault(), setCookie()));
  $("#one-form").addEventListener("submit", (event) => {
    event.preventDefault();
    readCookie($("#one-name").value);
  });
  $("#delete-button").addEventListener("click", () => deleteCookie($("#one-name").value));
  $("#list-button").addEventListener("click", listCookies);
  document.body.dataset.ready = "true";
}

start();
