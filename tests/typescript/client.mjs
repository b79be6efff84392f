// Driven by test_sdk_typescript.py: the official TypeScript SDK against the mock.
// Usage: node client.mjs BASE_URL  -> prints one JSON object with what it observed.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: process.argv[2], apiKey: "sk-ant-api03-typescript", maxRetries: 0 });
const params = {
  model: "claude-sonnet-4-6",
  max_tokens: 80,
  messages: [{ role: "user", content: "Tell me about the weather" }],
};

const created = await client.messages.create(params);
const final = await client.messages.stream(params).finalMessage();
const counted = await client.messages.countTokens({ model: params.model, messages: params.messages });
console.log(JSON.stringify({ created, final, counted }));
