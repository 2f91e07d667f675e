import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { attachNotices } from '../alerts/notices.js';
import { packageVersion } from '../version.js';
import type { ServerDeps } from './deps.js';
import { withCallLogging } from './logging.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { registerChat } from './tools/chat.js';
import { registerCompareModels } from './tools/compare-models.js';
import { registerCreateEmbeddings } from './tools/create-embeddings.js';
import { registerGenerateImage } from './tools/generate-image.js';
import { registerGetUsage } from './tools/get-usage.js';
import { registerListModels } from './tools/list-models.js';
import { registerTextToSpeech } from './tools/text-to-speech.js';
import { registerTranscribeAudio } from './tools/transcribe-audio.js';
import { registerUsageView } from './usage-view.js';

export type { ServerDeps } from './deps.js';

const INSTRUCTIONS =
  'Tools backed by CometAPI (500+ models through one OpenAI-compatible API). Use chat for text answers, ' +
  'compare_models to put one prompt to several models side by side, generate_image for pictures, create_embeddings for vectors, text_to_speech and transcribe_audio for audio, list_models to find model ids and prices, ' +
  'get_usage to see tokens and cost spent so far, and show_usage to show it as a live view. Every call is metered in a local ledger.';

/** One MCP server per client session; transports (stdio, Streamable HTTP) are attached elsewhere. */
export function createServer(deps: ServerDeps): McpServer {
  const server = new McpServer(
    { name: 'cometapi-mcp', title: 'CometAPI', version: packageVersion() },
    { capabilities: { logging: {} }, instructions: INSTRUCTIONS },
  );
  // Each call this session makes is also reported to its client as an MCP log message.
  const session: ServerDeps = {
    ...deps,
    metering: withCallLogging(deps.metering, server),
    session: deps.session ?? randomUUID(),
  };
  registerChat(server, session);
  registerCompareModels(server, session);
  registerGenerateImage(server, session);
  registerCreateEmbeddings(server, session);
  registerTextToSpeech(server, session);
  registerTranscribeAudio(server, session);
  registerListModels(server, session);
  registerGetUsage(server, session);
  registerUsageView(server, session);
  registerResources(server, session);
  registerPrompts(server, session);
  if (deps.notices) attachNotices(server, deps.notices);
  return server;
}
