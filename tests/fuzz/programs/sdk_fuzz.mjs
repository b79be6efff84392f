// The official TypeScript SDK under `mockserver fuzz`: create, then the streaming helper's finalMessage().
// A reply the SDK reads must give a message; a fault must give the SDK's own APIError. Anything else
// (another exception, a hang) exits non-zero, and `mockserver fuzz` reports the seed and the replies.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ maxRetries: 0 }); // ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY come from the env
const params = { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "Hi" }] };
const calls = {
  create: () => client.messages.create(params),
  stream: () => client.messages.stream(params).finalMessage(),
};
for (const [name, call] of Object.entries(calls)) {
  try {
    const message = await call();
    if (!Array.isArray(message.content) || typeof message.stop_reason !== "string") {
      throw new Error(`not a finished message: ${JSON.stringify(message).slice(0, 200)}`);
    }
  } catch (error) {
    if (error instanceof Anthropic.APIError) continue;
    console.error(`${name}: ${error?.constructor?.name}: ${error?.message}`);
    process.exit(1);
  }
}
