// The request inspector: polls the control API (same origin, JSON bodies, the control token as
// a bearer token when the server wants one) and renders the journal, rules and served state.
"use strict";

const POLL_MS = 700;
const KEEP_ENTRIES = 1000;
const TOKEN_KEY = "mock-control-token";
const $ = id => document.getElementById(id);

const page = {entries: [], since: 0, selected: null, paused: false, view: "journal", rules: [], counters: [], drawn: {}};

// -- talking to the control API ------------------------------------------------------------------

function takeTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get("token");
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
}

async function api(path, options = {}) {
  const headers = {accept: "application/json"};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = "Bearer " + token;
  const init = {method: options.method || "GET", headers, credentials: "same-origin", cache: "no-store"};
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path, init);
  const body = await response.json().catch(() => null);
  if (response.status === 401) $("token-form").hidden = false;
  if (!response.ok) {
    const message = body && body.error ? body.error.type + ": " + body.error.message : "HTTP " + response.status;
    throw new Error(message);
  }
  $("token-form").hidden = true;
  return body;
}

function showProblem(error) {
  $("problem").hidden = !error;
  $("problem").textContent = error ? String(error.message || error) : "";
}

// -- small DOM helpers -----------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else if (name === "on") Object.entries(value).forEach(([kind, fn]) => node.addEventListener(kind, fn));
    else node.setAttribute(name, value);
  }
  children.forEach(child => node.append(child));
  return node;
}

function fill(tbody, rows) { tbody.replaceChildren(...rows); }

function pretty(value) {
  if (value === null || value === undefined) return "(no body)";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function clock(epoch) { return new Date(epoch * 1000).toISOString().slice(11, 23); }

function statusClass(status) { return status >= 400 ? "bad" : status >= 300 ? "warn" : "good"; }

// -- the journal -----------------------------------------------------------------------------------

async function pollJournal() {
  if (page.paused) return;
  const found = await api("/_mock/journal?since=" + page.since);
  if (!found.requests.length) return;
  for (const entry of found.requests) page.since = Math.max(page.since, entry.seq);
  page.entries = page.entries.concat(found.requests).slice(-KEEP_ENTRIES);
  refreshChoices();
  renderEntries();
}

function refreshChoices() {
  const choices = {"filter-session": e => e.session, "filter-operation": e => e.operation, "filter-rule": e => e.rule};
  for (const [id, pick] of Object.entries(choices)) {
    const select = $(id);
    const known = new Set([...select.options].map(o => o.value));
    const values = [...new Set(page.entries.map(pick).filter(Boolean))].sort();
    for (const value of values) if (!known.has(value)) select.append(el("option", {value, text: value}));
  }
}

function passes(entry) {
  const session = $("filter-session").value, operation = $("filter-operation").value;
  const status = $("filter-status").value, rule = $("filter-rule").value;
  const text = $("filter-text").value.trim().toLowerCase();
  if (session && entry.session !== session) return false;
  if (operation && entry.operation !== operation) return false;
  if (status === "ok" && entry.status >= 400) return false;
  if (status === "error" && entry.status < 400 && !entry.error) return false;
  if (rule === "-" && entry.rule) return false;
  if (rule && rule !== "-" && entry.rule !== rule) return false;
  return !text || JSON.stringify(entry).toLowerCase().includes(text);
}

function entryRow(entry) {
  const failed = entry.status >= 400 || entry.error;
  const row = el("tr", {"data-seq": entry.seq, class: failed ? "entry failed" : "entry",
                        on: {click: () => select(entry.seq)}},
    el("td", {text: clock(entry.time)}),
    el("td", {class: "request"}, el("b", {text: entry.method + " "}), entry.path,
       el("span", {class: "op", text: [entry.operation, entry.body && entry.body.model,
                                        entry.stream && "stream", entry.session].filter(Boolean).join(" · ")})),
    el("td", {class: statusClass(failed ? 400 : entry.status),
              text: entry.status + (entry.error ? " " + entry.error : "")}),
    el("td", {text: entry.rule || entry.fault || ""}),
    el("td", {class: "num", text: entry.elapsed_ms.toFixed(1)}));
  if (entry.seq === page.selected) row.classList.add("selected");
  return row;
}

function renderEntries() {
  const shown = page.entries.filter(passes).reverse();
  fill(document.querySelector("#entries tbody"), shown.map(entryRow));
  $("empty").hidden = shown.length > 0;
  $("empty").textContent = page.entries.length ? "No request matches the filters." :
    "No requests yet. Send one to the mock and it appears here.";
}

// -- one entry in detail -----------------------------------------------------------------------

function selected() { return page.entries.find(e => e.seq === page.selected); }

function select(seq) {
  page.selected = seq;
  renderEntries();
  renderDetail(selected());
  if (matchMedia("(max-width: 760px)").matches) $("detail").scrollIntoView();  // stacked below the list
}

function kvRows(table, headers) {
  $(table.id + "-count").textContent = "Headers (" + Object.keys(headers || {}).length + ")";
  table.replaceChildren(...Object.entries(headers || {}).map(([name, value]) =>
    el("tr", {}, el("th", {text: name}), el("td", {text: value}))));
}

function renderDetail(entry) {
  $("detail").hidden = !entry;
  $("copy-output").hidden = true;
  if (!entry) return;
  $("detail-title").textContent = entry.method + " " + entry.path;
  const facts = {request_id: entry.request_id, operation: entry.operation, session: entry.session || "(none)",
                 status: entry.status, error: entry.error, rule: entry.rule, fault: entry.fault,
                 elapsed: entry.elapsed_ms + " ms", at: new Date(entry.time * 1000).toISOString()};
  $("detail-facts").replaceChildren(...Object.entries(facts).filter(([, v]) => v !== null && v !== undefined)
    .flatMap(([k, v]) => [el("dt", {text: k}), el("dd", {text: String(v), class: k === "error" ? "bad" : ""})]));
  kvRows($("request-headers"), Snippets.redacted(entry.headers));
  $("request-body").textContent = pretty(entry.body);
  renderResponse(entry);
}

function renderResponse(entry) {
  const response = entry.response || {};
  kvRows($("response-headers"), response.headers || {});
  const events = response.events;
  $("timeline").hidden = !events;
  $("response-body").hidden = !!events;
  $("response-body").classList.toggle("bad", entry.status >= 400);
  if (!events) {
    $("response-body").textContent = entry.response ? pretty(response.body) : "(not recorded)";
    return;
  }
  fill(document.querySelector("#timeline tbody"), events.map(event => el("tr",
    {class: event.event === "error" ? "event failed" : "event"},
    el("td", {class: "num", text: event.offset_ms.toFixed(1)}),
    el("td", {text: event.event || "(data)"}),
    el("td", {}, el("code", {class: "clip", title: "click to show it all",
                             text: typeof event.data === "string" ? event.data : JSON.stringify(event.data),
                             on: {click: e => e.target.classList.toggle("clip")}})))));
}

function showCopy(text) {
  const out = $("copy-output");
  out.hidden = false;
  out.value = text;
  out.rows = Math.min(18, text.split("\n").length + 1);
  out.select();
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).catch(() => {});
}

function makeRule() {
  const entry = selected();
  if (!entry) return;
  $("rule-text").value = JSON.stringify(Snippets.rule(entry), null, 2);
  $("rule-editor").hidden = false;
  $("rule-result").textContent = "";
  switchView("rules");
  $("rule-text").focus();
}

// Redraw a view only when what it shows changed (keeps a selection, a scroll, a half-read row).
function unchanged(view, data) {
  const seen = JSON.stringify(data);
  if (page.drawn[view] === seen) return true;
  page.drawn[view] = seen;
  return false;
}

// -- rules, scenarios, reset --------------------------------------------------------------------

async function loadRules() {
  const [rules, scenarios, state] = await Promise.all([api("/_mock/rules"), api("/_mock/scenarios"),
                                                       api("/_mock/state")]);
  if (unchanged("rules", [rules, scenarios, state.counters, page.entries.length])) return;
  page.rules = rules.rules;
  page.counters = state.counters;
  renderRules();
  fill(document.querySelector("#scenarios tbody"), scenarios.scenarios.map(s =>
    el("tr", {}, el("td", {text: s.session || "(none)"}), el("td", {text: s.name}), el("td", {text: s.state}))));
  $("scenarios-empty").hidden = scenarios.scenarios.length > 0;
  $("scenarios").parentElement.hidden = !scenarios.scenarios.length;
}

function answeredCount(rule) {
  const counted = page.counters.filter(c => c.rule === rule.id && (!rule.session || c.session === rule.session));
  if (counted.length) return counted.reduce((sum, c) => sum + c.served, 0);
  return page.entries.filter(e => e.rule === rule.id).length;
}

function summary(value) {
  const text = value === undefined ? "" : JSON.stringify(value);
  return text.length > 90 ? text.slice(0, 87) + "…" : text;
}

function ruleRow(rule, index) {
  const removable = rule.source === "api";
  const remove = el("button", {type: "button", class: "danger", text: "Delete", title: "delete this runtime rule",
                               on: {click: () => deleteRule(rule)}});
  return el("tr", {"data-rule": rule.id},
    el("td", {class: "num", text: String(index + 1)}), el("td", {}, el("code", {text: rule.id})),
    el("td", {text: rule.source}), el("td", {text: rule.session || ""}),
    el("td", {}, el("code", {text: summary(rule.match || {})})),
    el("td", {}, el("code", {text: summary(rule.respond || rule.sequence)})),
    el("td", {class: "num", text: String(answeredCount(rule))}),
    el("td", {}, removable ? remove : el("span", {class: "hint", text: "from file"})));
}

function renderRules() {
  fill(document.querySelector("#rules tbody"), page.rules.map(ruleRow));
  $("rules-empty").hidden = page.rules.length > 0;
  $("rules").parentElement.hidden = !page.rules.length;
}

async function deleteRule(rule) {
  const query = rule.session ? "?session=" + encodeURIComponent(rule.session) : "";
  await api("/_mock/rules/" + encodeURIComponent(rule.id) + query, {method: "DELETE"}).catch(showProblem);
  await loadRules();
}

async function saveRule(event) {
  event.preventDefault();
  let spec;
  try {
    spec = JSON.parse($("rule-text").value);
  } catch (error) {
    $("rule-result").textContent = "Not JSON: " + error.message;
    return;
  }
  try {
    const saved = await api("/_mock/rules", {method: "POST", body: spec});
    $("rule-result").textContent = "Saved " + saved.rules.map(r => r.id).join(", ");
    $("rule-editor").hidden = true;
    await loadRules();
  } catch (error) {
    $("rule-result").textContent = error.message;
  }
}

async function resetSession(event) {
  event.preventDefault();
  const session = $("reset-session").value.trim();
  const done = await api("/_mock/reset", {method: "POST", body: session ? {session} : {}}).catch(showProblem);
  if (!done) return;
  page.entries = page.entries.filter(e => session && e.session !== session);
  $("reset-result").textContent = "Reset " + (session ? "session " + session : "everything");
  renderEntries();
  renderDetail(selected());
  await loadRules();
}

// -- served state -----------------------------------------------------------------------------------

function cells(...values) {
  return el("tr", {}, ...values.map(v => el("td", {text: v === null ? "" : String(v),
                                                   class: typeof v === "number" ? "num" : ""})));
}

async function loadState() {
  const state = await api("/_mock/state");
  if (unchanged("state", state)) return;
  $("stateless").hidden = !state.stateless;
  fill(document.querySelector("#batches tbody"), state.batches.map(b =>
    cells(b.id, b.processing_status, b.request_count, b.created_at)));
  fill(document.querySelector("#files tbody"), state.files.map(f =>
    cells(f.id, f.filename, f.mime_type, f.size_bytes, f.created_at)));
  fill(document.querySelector("#skills tbody"), state.skills.map(s =>
    cells(s.id, s.display_title || s.name, s.source, s.latest_version, s.created_at)));
  const limits = state.rate_limits;
  $("limits-mode").textContent = limits.enforced ? "(enforced)" : "(headers only: start with --rate-limit to enforce)";
  const left = (bucket, name) => bucket.remaining[name] + " / " + bucket.limits[name];
  fill(document.querySelector("#buckets tbody"), limits.buckets.map(b =>
    cells(b.api_key, b.model, left(b, "requests"), left(b, "input_tokens"), left(b, "output_tokens"), b.full_at)));
}

// -- wiring -------------------------------------------------------------------------------------------

function switchView(view) {
  page.view = view;
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === view);
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== "view-" + view;
  refreshView().catch(showProblem);
}

async function refreshView() {
  if (page.view === "rules") await loadRules();
  if (page.view === "state") await loadState();
}

async function tick() {
  try {
    await pollJournal();
    if (page.view !== "journal" && !document.activeElement?.closest("form")) await refreshView();
    showProblem(null);
    $("status").textContent = page.paused ? "paused" : "live";
    $("status").className = page.paused ? "status paused" : "status live";
  } catch (error) {
    $("status").textContent = "offline";
    $("status").className = "status offline";
    if (!$("token-form").hidden) showProblem(null); else showProblem(error);
  }
  setTimeout(tick, POLL_MS);
}

function wire() {
  document.querySelectorAll(".tab").forEach(tab => tab.addEventListener("click", () => switchView(tab.dataset.view)));
  ["filter-session", "filter-operation", "filter-status", "filter-rule"].forEach(id =>
    $(id).addEventListener("change", renderEntries));
  $("filter-text").addEventListener("input", renderEntries);
  $("pause").addEventListener("click", () => {
    page.paused = !page.paused;
    $("pause").textContent = page.paused ? "Resume" : "Pause";
  });
  $("copy-curl").addEventListener("click", () => showCopy(Snippets.curl(selected(), location.origin)));
  $("copy-python").addEventListener("click", () => showCopy(Snippets.python(selected(), location.origin)));
  $("make-rule").addEventListener("click", makeRule);
  $("rule-editor").addEventListener("submit", saveRule);
  $("rule-cancel").addEventListener("click", () => { $("rule-editor").hidden = true; });
  $("reset-form").addEventListener("submit", resetSession);
  $("token-form").addEventListener("submit", event => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
    $("token-input").value = "";
  });
}

takeTokenFromUrl();
wire();
tick();
