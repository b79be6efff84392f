// A streaming client. Buggy: splits events on "\n\n" only (CRLF and CR line ends break it) and keeps
// only the text. Fixed (--fixed): splits lines on CRLF, CR or LF, as the SSE standard says.
const fixed = process.argv.includes("--fixed");
const response = await fetch(process.env.ANTHROPIC_BASE_URL + "/v1/messages", {
  method: "POST",
  headers: {"x-api-key": process.env.ANTHROPIC_API_KEY, "anthropic-version": "2023-06-01",
            "content-type": "application/json"},
  body: JSON.stringify({model: "claude-sonnet-4-5", max_tokens: 100, stream: true,
                        messages: [{role: "user", content: "hi"}]}),
});
const body = await response.text();
let events;
if (fixed) {
  events = [];
  let data = [];
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === "") { if (data.length) events.push(data.join("\n")); data = []; }
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
} else {
  events = body.split("\n\n").filter((e) => e.trim()).map((e) => {
    const line = e.split("\n").find((l) => l.startsWith("data: "));
    if (!line) throw new Error("an event without data: " + JSON.stringify(e.slice(0, 80)));
    return line.slice(6);
  });
}
let stopped = false;
for (const data of events) {
  if (JSON.parse(data).type === "message_stop") stopped = true;
}
if (!stopped) throw new Error("the stream ended without message_stop");
console.log(events.length);
