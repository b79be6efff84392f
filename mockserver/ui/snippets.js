// What the inspector derives from one journal entry: redacted headers, "copy as curl",
// "copy as Python SDK call" and a rule that answers the same request the same way.
// Pure functions on plain objects; inspector.js wires them to the page.
"use strict";

const Snippets = (() => {
  const SECRET = /(^|-)(api-key|authorization|cookie|token|secret|password)$|^x-api-key$/i;
  const ENV_FOR = {"x-api-key": "$ANTHROPIC_API_KEY", "authorization": "Bearer $ANTHROPIC_API_KEY"};
  const COPIED_HEADERS = ["anthropic-version", "anthropic-beta", "x-mock-session", "content-type"];
  const SDK_METHODS = {
    messages_create: "messages.create", messages_count_tokens: "messages.count_tokens",
    batches_create: "messages.batches.create", completions_create: "completions.create",
  };

  function isSecret(name) { return SECRET.test(name); }

  function redacted(headers) {
    const shown = {};
    for (const [name, value] of Object.entries(headers || {})) {
      shown[name] = isSecret(name) ? "[redacted]" : value;
    }
    return shown;
  }

  function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

  function curl(entry, origin) {
    const query = entry.query ? "?" + entry.query : "";
    const lines = ["curl " + (entry.method === "GET" ? "" : "-X " + entry.method + " ")
                   + shellQuote(origin + entry.path + query)];
    const headers = entry.headers || {};
    for (const name of Object.keys(headers)) {
      if (ENV_FOR[name]) lines.push('-H "' + name + ": " + ENV_FOR[name] + '"');
      else if (COPIED_HEADERS.includes(name)) lines.push("-H " + shellQuote(name + ": " + headers[name]));
    }
    if (entry.body !== null && entry.body !== undefined) lines.push("-d " + shellQuote(JSON.stringify(entry.body)));
    return lines.join(" \\\n  ");
  }

  function pyLiteral(value, indent) {
    const pad = " ".repeat(indent + 4), end = " ".repeat(indent);
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (typeof value === "number") return String(value);
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) {
      if (!value.length) return "[]";
      return "[\n" + value.map(v => pad + pyLiteral(v, indent + 4) + ",\n").join("") + end + "]";
    }
    const keys = Object.keys(value);
    if (!keys.length) return "{}";
    return "{\n" + keys.map(k => pad + JSON.stringify(k) + ": " + pyLiteral(value[k], indent + 4) + ",\n").join("")
      + end + "}";
  }

  function python(entry, origin) {
    const headers = entry.headers || {};
    const extra = {};
    if (headers["x-mock-session"]) extra["x-mock-session"] = headers["x-mock-session"];
    const setup = ["import anthropic", "",
      "client = anthropic.Anthropic(base_url=" + JSON.stringify(origin)
      + (Object.keys(extra).length ? ", default_headers=" + pyLiteral(extra, 0).replace(/\n\s*/g, " ") : "")
      + ")  # the key comes from ANTHROPIC_API_KEY", ""];
    const method = SDK_METHODS[entry.operation];
    const body = entry.body && typeof entry.body === "object" ? entry.body : null;
    if (method && body) {
      const betas = headers["anthropic-beta"];
      const target = betas ? "client.beta." + method : "client." + method;
      const args = Object.keys(body).map(k => "    " + k + "=" + pyLiteral(body[k], 4) + ",");
      if (betas) args.push("    betas=" + pyLiteral(betas.split(",").map(s => s.trim()), 4) + ",");
      return setup.concat(["result = " + target + "(", ...args, ")", "print(result)"]).join("\n");
    }
    const path = entry.path + (entry.query ? "?" + entry.query : "");
    const call = entry.method.toLowerCase();
    const bodyArg = body ? ", body=" + pyLiteral(body, 0) : "";
    const verb = ["get", "post", "put", "patch", "delete"].includes(call) ? call : "get";
    return setup.concat(["result = client." + verb + "(" + JSON.stringify(path) + bodyArg + ", cast_to=object)",
                         "print(result)"]).join("\n");
  }

  function streamedText(events) {
    return (events || []).filter(e => e.event === "content_block_delta" && e.data && e.data.delta)
      .map(e => e.data.delta.text || "").join("");
  }

  function answer(entry) {
    const response = entry.response || {};
    const body = response.body;
    if (entry.error && body && body.error) return {error: {type: body.error.type, message: body.error.message}};
    if (entry.stream) {
      const failed = (response.events || []).find(e => e.event === "error");
      if (failed && failed.data && failed.data.error) return {error: failed.data.error.type};
      return {text: streamedText(response.events)};
    }
    if (entry.operation === "messages_create" && body && typeof body === "object") {
      const {content, stop_reason, usage} = body;
      return {message: {content, stop_reason, usage}};
    }
    return {status: response.status || entry.status, body: body === undefined ? null : body};
  }

  function rule(entry) {
    const match = {};
    if (entry.operation) match.operation = entry.operation;
    else match.path = entry.path;
    if (entry.body && typeof entry.body.model === "string") match.model = entry.body.model;
    const made = {id: "from-" + String(entry.request_id || entry.seq).replace(/^req_/, "").slice(0, 24),
                  description: "made in the inspector from " + entry.request_id, match, respond: answer(entry)};
    if (entry.session) made.session = entry.session;
    return made;
  }

  return {isSecret, redacted, curl, python, rule};
})();
