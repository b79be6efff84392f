// The TypeScript platform SDKs against the mock: create, stream, tool use, count tokens, a retried error.
// Usage: node platforms.mjs BASE_URL   (prints one JSON object per platform)
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import { AnthropicFoundry } from '@anthropic-ai/foundry-sdk';

const base = process.argv[2];
const prompt = [{ role: 'user', content: 'Tell me about the sea in two sentences.' }];
const tool = {
  name: 'get_weather', description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const clients = {
  bedrock: [new AnthropicBedrock({ awsAccessKey: 'AKIAIOSFODNN7EXAMPLE', awsSecretKey: 'secret', awsRegion: 'us-east-1',
                                   baseURL: base, maxRetries: 2 }), 'us.anthropic.claude-sonnet-4-6-v1:0'],
  // a Google auth client of our own: no Application Default Credentials on a test machine
  vertex: [new AnthropicVertex({ region: 'us-east5', projectId: 'my-project', baseURL: `${base}/v1`, maxRetries: 2,
                                 authClient: { projectId: 'my-project',
                                               getRequestHeaders: async () => new Headers({ authorization: 'Bearer ya29.t' }) } }),
           'claude-sonnet-4-6'],
  foundry: [new AnthropicFoundry({ apiKey: 'foundry-key', baseURL: `${base}/anthropic/`, maxRetries: 2 }),
            'claude-sonnet-4-6'],
};
const out = {};
for (const [name, [client, model]] of Object.entries(clients)) {
  const created = await client.messages.create({ model, max_tokens: 256, messages: prompt });
  const final = await client.messages.stream({ model, max_tokens: 256, messages: prompt }).finalMessage();
  const tooled = await client.messages.create({
    model, max_tokens: 512, tools: [tool], tool_choice: { type: 'tool', name: 'get_weather' },
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
  });
  const retried = await client.messages.create(
    { model, max_tokens: 32, messages: prompt },
    { headers: { 'x-mock-error': 'overloaded_error', 'x-mock-error-count': '1', 'x-mock-session': `ts-${name}` } },
  );
  let counted = null;
  if (name !== 'bedrock') {  // the Bedrock SDKs do not count tokens
    counted = (await client.messages.countTokens({ model, messages: prompt })).input_tokens;
  }
  out[name] = { text: created.content[0].text, streamed: final.content[0].text, input: created.usage.input_tokens,
                tool: tooled.content.find((b) => b.type === 'tool_use')?.name ?? null,
                retried: retried.content.length > 0, counted };
}
console.log(JSON.stringify(out));
