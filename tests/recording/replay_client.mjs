// Driven by test_replay_typescript.py: one session of the official TypeScript SDK (JSON, streaming,
// count_tokens, a batch lifecycle, a file upload). Usage: node replay_client.mjs BASE_URL -> JSON of what it saw.
import Anthropic, { toFile } from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: process.argv[2], apiKey: "sk-ant-api03-typescript-secret", maxRetries: 0 });
const model = "claude-sonnet-4-6";
const params = { model, max_tokens: 40, messages: [{ role: "user", content: "Write a haiku" }] };

const created = await client.messages.create(params);
const final = await client.messages.stream(params).finalMessage();
const counted = await client.messages.countTokens({ model, messages: params.messages });
let batch = await client.messages.batches.create({
  requests: [{ custom_id: "only", params: { model, max_tokens: 16, messages: [{ role: "user", content: "Hi" }] } }],
});
const polls = [batch.processing_status];
while (batch.processing_status !== "ended") {
  await new Promise((resolve) => setTimeout(resolve, 100));
  batch = await client.messages.batches.retrieve(batch.id);
  polls.push(batch.processing_status);
}
const results = [];
for await (const line of await client.messages.batches.results(batch.id)) results.push(line);
const uploaded = await client.beta.files.upload({
  file: await toFile(Buffer.from("typed once, replayed forever"), "notes.txt", { type: "text/plain" }),
});
console.log(JSON.stringify({ created, final, counted, polls, results, uploaded }));
