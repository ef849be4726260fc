// Drives an MCP server over stdio with the official TypeScript SDK client, as an MCP host would, and prints
// what it saw as one JSON document on stdout. The client itself checks every structuredContent against the
// tool's outputSchema (callTool throws when they disagree); a call that throws is reported with its message.
//
// usage: node drive-server.mjs SPEC.json
// SPEC: { command, args, cwd, env, calls: [{ tool, arguments }], tamper: [{ tool, property, value }] }
// A tamper entry replays the result of the first successful call of that tool from a stand-in server that
// publishes the same outputSchema, with one property of structuredContent replaced, and reports whether the
// SDK client accepted it (it must not).
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const describe = (result) => ({
  isError: result.isError === true,
  kinds: result.content.map((c) => c.type),
  text: result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n'),
  images: result.content.filter((c) => c.type === 'image').map((c) => ({ mimeType: c.mimeType, bytes: Buffer.from(c.data, 'base64').length })),
  resourceLinks: result.content.filter((c) => c.type === 'resource_link').map((c) => ({ uri: c.uri, name: c.name, title: c.title, mimeType: c.mimeType, size: c.size })),
  structuredContent: result.structuredContent ?? null,
});

async function callSafely(client, tool, args) {
  try {
    return { tool, ...describe(await client.callTool({ name: tool, arguments: args })) };
  } catch (error) {
    return { tool, thrown: String(error?.message ?? error) };
  }
}

async function replayTampered(tool, result, property, value) {
  const server = new Server({ name: 'stand-in', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [tool] }));
  server.setRequestHandler(CallToolRequestSchema, async () => ({
    content: [{ type: 'text', text: result.text }],
    structuredContent: { ...result.structuredContent, [property]: value },
  }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'visionagent-tests', version: '1' });
  await client.connect(clientSide);
  await client.listTools();
  const outcome = await callSafely(client, tool.name, {});
  await client.close();
  return { tool: tool.name, property, accepted: outcome.thrown === undefined, thrown: outcome.thrown ?? null };
}

const transport = new StdioClientTransport({
  command: spec.command,
  args: spec.args,
  cwd: spec.cwd,
  env: { ...process.env, ...(spec.env ?? {}) },
  stderr: 'inherit',
});
let protocolVersion = null;
transport.setProtocolVersion = (version) => { protocolVersion = version; };
const client = new Client({ name: 'visionagent-tests', version: '1' });
const started = Date.now();
await client.connect(transport);
const report = {
  initializeMs: Date.now() - started,
  protocolVersion,
  serverInfo: client.getServerVersion(),
  capabilities: client.getServerCapabilities(),
};
const { tools } = await client.listTools();
report.tools = tools;
report.calls = [];
for (const call of spec.calls ?? []) report.calls.push(await callSafely(client, call.tool, call.arguments ?? {}));
await client.close();

report.tampered = [];
for (const tamper of spec.tamper ?? []) {
  const tool = tools.find((t) => t.name === tamper.tool);
  const result = report.calls.find((c) => c.tool === tamper.tool && !c.thrown && !c.isError);
  report.tampered.push(tool && result
    ? await replayTampered(tool, result, tamper.property, tamper.value)
    : { tool: tamper.tool, property: tamper.property, accepted: null, thrown: 'no successful call of this tool to replay' });
}
process.stdout.write(JSON.stringify(report));
