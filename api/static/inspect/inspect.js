// The cookie inspector: what a browser does with Set-Cookie headers, drawn from POST /lint.
// It calls the public API and nothing else, and keeps its input in the URL fragment (#...),
// which the browser never sends to a server: the address is a link to the diagnosis.

// The browsers the API answers for. One today; a new one is a new entry here.
const BROWSERS = [{ id: "chromium", label: "Chromium" }];
const SET_COOKIE_LINE = /^(?:<\s*)?set-cookie\s*:\s*(.*)$/i;
const STATUS_LINE = /^(?:<\s*)?HTTP\/[\d.]+\s+\d{3}/i;
const FRAGMENT_KEYS = { url: "url", thenUrl: "then", site: "site", browser: "browser", now: "now", script: "script" };

const $ = (selector) => document.querySelector(selector);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("data-") || key.startsWith("aria-") || key === "scope") node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

const code = (text) => element("code", { textContent: text });

// Reading what was pasted

/** Set-Cookie values of every response of a HAR file (HTTP Archive 1.2), one entry each. */
function harEntries(har) {
  const entries = (har && har.log && Array.isArray(har.log.entries) && har.log.entries) || [];
  return entries
    .map((entry) => {
      const headers = (entry.response && entry.response.headers) || [];
      // Chromium's export joins a response's Set-Cookie headers with newlines.
      const setCookie = headers
        .filter((header) => String(header.name).toLowerCase() === "set-cookie")
        .flatMap((header) => String(header.value).split("\n"))
        .filter((value) => value.trim() !== "");
      const request = entry.request || {};
      const status = entry.response ? entry.response.status : "";
      return { url: String(request.url || ""), method: request.method || "GET", status, setCookie };
    })
    .filter((entry) => entry.setCookie.length > 0);
}

/** What the text holds: HAR JSON, a block of response headers, or bare Set-Cookie values. */
function readInput(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let har;
    try {
      har = JSON.parse(trimmed);
    } catch (error) {
      return { kind: "invalid", message: `This looks like JSON but does not parse: ${error.message}` };
    }
    const entries = harEntries(har);
    if (!entries.length) return { kind: "invalid", message: "This HAR file has no response with a Set-Cookie header." };
    return { kind: "har", entries };
  }
  const lines = text.split(/\r?\n/);
  const headerLines = lines.map((line) => SET_COOKIE_LINE.exec(line)).filter(Boolean);
  if (headerLines.length || lines.some((line) => STATUS_LINE.test(line))) {
    const kind = lines.some((line) => STATUS_LINE.test(line)) ? "response" : "headers";
    return { kind, setCookie: headerLines.map((match) => match[1].trim()).filter(Boolean) };
  }
  return { kind: "lines", setCookie: lines.map((line) => line.trim()).filter(Boolean) };
}

const KIND_TEXT = {
  response: (n) => `Read ${n} Set-Cookie header(s) from the response (its status line and other headers are left out).`,
  headers: (n) => `Read ${n} Set-Cookie header(s) from the header lines.`,
  lines: (n) => `Read ${n} Set-Cookie value(s), one per line.`,
};

// The state, and the URL fragment that holds it

function formState() {
  const input = readInput($("#input").value);
  return {
    url: $("#url").value.trim(),
    thenUrl: $("#then-url").value.trim(),
    site: $("#site-for-cookies").value.trim(),
    browser: $("#browser").value,
    script: $("#from-script").checked ? "1" : "",
    setCookie: input.setCookie || [],
    input,
  };
}

function toFragment(state) {
  const params = new URLSearchParams();
  for (const [key, name] of Object.entries(FRAGMENT_KEYS)) {
    if (state[key]) params.set(name, state[key]);
  }
  for (const value of state.setCookie) params.append("c", value);
  return `#${params}`;
}

function fromFragment(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = { setCookie: params.getAll("c") };
  for (const [key, name] of Object.entries(FRAGMENT_KEYS)) state[key] = params.get(name) || "";
  return state;
}

function fillForm(state) {
  $("#input").value = state.setCookie.join("\n");
  $("#url").value = state.url;
  $("#then-url").value = state.thenUrl;
  $("#site-for-cookies").value = state.site;
  $("#from-script").checked = state.script === "1";
  if (BROWSERS.some((browser) => browser.id === state.browser)) $("#browser").value = state.browser;
  describeInput();
}

// Calling the API

async function lint(state) {
  const body = { url: state.url, set_cookie: state.setCookie, now: state.now };
  const later = state.thenUrl || state.url;
  body.then_url = later;
  if (state.site) body.site_for_cookies = state.site;
  if (state.script === "1") body.from_script = true;
  const response = await fetch("lint", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, data: await response.json() };
}

// Drawing the answer

function findingItem(problem) {
  const item = element(
    "li",
    { className: `finding ${problem.severity}`, "data-code": problem.code },
    element("a", { href: `rules#${problem.code}` }, code(problem.code)),
    " ",
    element("span", { className: "severity", textContent: problem.severity.replace("_", " ") }),
    element("span", { className: "message", textContent: problem.message }),
  );
  if (problem.browsers) {
    item.append(element("span", { className: "browsers", textContent: `Browsers differ: ${problem.browsers}` }));
  }
  return item;
}

function timelineRow(result, index) {
  const fixes = result.problems.filter((problem) => problem.fix);
  return element(
    "tr",
    { "data-outcome": result.outcome },
    element("td", { textContent: String(index + 1) }),
    element("td", {}, code(result.set_cookie)),
    element("td", {}, element("span", { className: `outcome ${result.outcome}`, textContent: result.outcome })),
    element(
      "td",
      { className: "findings" },
      result.problems.length
        ? element("ul", {}, ...result.problems.map(findingItem))
        : element("span", { className: "hint", textContent: "None." }),
    ),
    element(
      "td",
      { className: "fix" },
      fixes.length
        ? element("ul", {}, ...fixes.map((problem) => element("li", { textContent: problem.fix })))
        : element("span", { className: "hint", textContent: "Nothing to fix." }),
    ),
  );
}

function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

function expiresText(cookie) {
  return cookie.expiry === null ? "Session" : new Date(cookie.expiry).toISOString();
}

const sameCookie = (a, b) =>
  a.name === b.name && a.domain === b.domain && a.host_only === b.host_only && a.path === b.path && a.partitioned === b.partitioned;

/** The problems of the header that stored this cookie last, and why it is not sent next. */
function issuesOf(cookie, report) {
  const stored = report.results.filter((result) => result.cookie && sameCookie(result.cookie, cookie));
  const issues = stored.length ? [...stored[stored.length - 1].problems] : [];
  for (const entry of report.not_sent || []) {
    if (sameCookie(entry.cookie, cookie)) issues.push(entry.problem);
  }
  return issues;
}

function jarRow(cookie, report) {
  const issues = issuesOf(cookie, report);
  const flag = (value) => (value ? "✓" : "");
  const row = element(
    "tr",
    { "data-issues": String(issues.length) },
    element("th", { scope: "row" }, code(cookie.name)),
    element("td", {}, code(cookie.value)),
    element("td", { textContent: cookie.host_only ? cookie.domain : `.${cookie.domain}` }),
    element("td", { textContent: cookie.path }),
    element("td", { textContent: expiresText(cookie) }),
    element("td", { textContent: String(byteLength(cookie.name) + byteLength(cookie.value)) }),
    element("td", { textContent: flag(cookie.httponly), "aria-label": cookie.httponly ? "yes" : "no" }),
    element("td", { textContent: flag(cookie.secure), "aria-label": cookie.secure ? "yes" : "no" }),
    element("td", { textContent: cookie.samesite || "" }),
    element("td", { textContent: cookie.partition_key || "" }),
    element("td", { textContent: cookie.priority }),
  );
  if (issues.length) row.title = issues.map((issue) => `${issue.code}: ${issue.message}`).join("\n");
  return row;
}

function filterJar() {
  const only = $("#only-issues").checked;
  for (const row of document.querySelectorAll("#jar tbody tr")) {
    row.hidden = only && row.dataset.issues === "0";
  }
}

function showReport(state, report) {
  $("#problem").hidden = true;
  const browser = BROWSERS.find((item) => item.id === state.browser) || BROWSERS[0];
  $("#judged").textContent = `As ${browser.label} does it, at ${state.now}, for a response from ${state.url}.`;
  $("#timeline tbody").replaceChildren(...report.results.map(timelineRow));
  $("#jar tbody").replaceChildren(...report.cookies.map((cookie) => jarRow(cookie, report)));
  $("#jar").hidden = report.cookies.length === 0;
  $("#jar-empty").hidden = report.cookies.length > 0;
  filterJar();
  $("#sent-url").textContent = state.thenUrl || state.url;
  $("#cookie-header").textContent = report.cookie_header ? `Cookie: ${report.cookie_header}` : "(no Cookie header)";
  const notSent = report.not_sent || [];
  $("#not-sent tbody").replaceChildren(
    ...notSent.map((entry) =>
      element(
        "tr",
        {},
        element("th", { scope: "row" }, code(entry.cookie.name)),
        element("td", {}, element("ul", {}, findingItem(entry.problem))),
      ),
    ),
  );
  $("#not-sent").hidden = notSent.length === 0;
  $("#all-sent").hidden = notSent.length > 0;
  $("#raw-json").textContent = JSON.stringify(report, null, 2);
  $("#report").hidden = false;
}

function showProblem(title, detail, findings = []) {
  $("#report").hidden = true;
  const box = $("#problem");
  box.replaceChildren(
    element("h2", { textContent: title }),
    element("p", { textContent: detail }),
    findings.length
      ? element(
          "ul",
          {},
          ...findings.map((item) =>
            element("li", {}, code(item.field), " ", code(item.code), " ", item.message),
          ),
        )
      : null,
  );
  box.hidden = false;
}

async function inspect(state) {
  document.body.dataset.state = "busy";
  $("#copy-link").disabled = false;
  try {
    const { status, data } = await lint(state);
    if (status === 200) showReport(state, data);
    else showProblem(`${data.status} ${data.title}`, data.detail, data.findings || []);
  } catch (error) {
    showProblem("The API did not answer", String(error));
  }
  document.body.dataset.state = "done";
  document.body.dataset.runs = String(Number(document.body.dataset.runs || "0") + 1);
}

// Wiring

function describeInput() {
  const input = readInput($("#input").value);
  const kind = $("#input-kind");
  const entryLabel = $("#har-entry-label");
  if (input.kind === "har") {
    $("#har-entry").replaceChildren(
      ...input.entries.map((entry, index) =>
        element("option", {
          value: String(index),
          textContent: `${entry.method} ${entry.url} → ${entry.status} (${entry.setCookie.length} Set-Cookie)`,
        }),
      ),
    );
    entryLabel.hidden = false;
    kind.textContent = `A HAR file: ${input.entries.length} response(s) set cookies; choose one.`;
    return;
  }
  entryLabel.hidden = true;
  kind.textContent = input.kind === "invalid" ? input.message : input.setCookie.length ? KIND_TEXT[input.kind](input.setCookie.length) : "";
}

/** A HAR file becomes the chosen response's URL and its Set-Cookie lines. */
function useHarEntry() {
  const input = readInput($("#input").value);
  if (input.kind !== "har") return;
  const entry = input.entries[Number($("#har-entry").value) || 0];
  return { ...formState(), url: entry.url, setCookie: entry.setCookie };
}

function submit(event) {
  event.preventDefault();
  const state = useHarEntry() || formState();
  if (state.input.kind === "invalid") return showProblem("Nothing to inspect", state.input.message);
  if (!state.setCookie.length) return showProblem("Nothing to inspect", "Paste at least one Set-Cookie header.");
  if (!state.url) return showProblem("Which URL?", "Give the URL of the response that carried these headers.");
  // The moment is part of the diagnosis: a shared link judges expiry at the same moment.
  state.now = new Date().toISOString();
  // The pasted text stays as it is; a HAR file's chosen response gives the URL.
  $("#url").value = state.url;
  history.replaceState(null, "", toFragment(state));
  inspect(state);
}

function loadFragment() {
  const state = fromFragment(location.hash);
  if (!state.url || !state.setCookie.length) return false;
  state.browser = state.browser || BROWSERS[0].id;
  state.now = state.now || new Date().toISOString();
  fillForm(state);
  inspect(state);
  return true;
}

async function openHarFile() {
  const file = $("#har-file").files[0];
  if (!file) return;
  $("#input").value = await file.text();
  describeInput();
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText(location.href);
    $("#copied").textContent = "Copied.";
  } catch {
    $("#copied").textContent = "Copy the page's address: it holds the whole input.";
  }
}

function start() {
  $("#browser").replaceChildren(...BROWSERS.map((browser) => element("option", { value: browser.id, textContent: browser.label })));
  $("#input-form").addEventListener("submit", submit);
  $("#input").addEventListener("input", describeInput);
  $("#har-file").addEventListener("change", openHarFile);
  $("#only-issues").addEventListener("change", filterJar);
  $("#copy-link").addEventListener("click", copyLink);
  window.addEventListener("hashchange", loadFragment);
  loadFragment();
  document.body.dataset.ready = "true";
}

start();
