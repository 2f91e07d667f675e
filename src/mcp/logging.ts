/**
 * MCP logging for one session: after each metered call the client gets a notifications/message
 * (info for a success, warning for a failure or refusal) with the figures the ledger row holds.
 * The SDK keeps each session's logging/setLevel choice and drops messages below it, so a client
 * that asks for "warning" hears only about failures. Never carries prompt text or keys.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { usdFromNano, type CallRecord } from '../ledger/calls.js';
import { MeteredCallError, type Metering } from '../metering.js';

const LOGGER = 'cometapi-mcp';

function summary(record: CallRecord, id: number) {
  return {
    call_id: id,
    tool: record.tool,
    model: record.model_used ?? record.model_requested,
    status: record.status,
    prompt_tokens: record.prompt_tokens,
    completion_tokens: record.completion_tokens,
    cost_usd: record.cost_nano_usd === null ? null : usdFromNano(record.cost_nano_usd),
    duration_ms: record.duration_ms,
    retries: record.retries,
    ...(record.fallback_from ? { fallback_from: record.fallback_from } : {}),
  };
}

/** The same metering, telling this session's client about each call it makes. */
export function withCallLogging(metering: Metering, server: McpServer): Metering {
  const send = (level: 'info' | 'warning', data: Record<string, unknown>) => {
    if (!server.isConnected()) return;
    // A client that went away must not fail the call that is being reported.
    // The SDK files each session's logging/setLevel under its transport's session id (none on stdio).
    server
      .sendLoggingMessage({ level, logger: LOGGER, data }, server.server.transport?.sessionId)
      .catch(() => undefined);
  };
  return {
    hasUpstream: metering.hasUpstream,
    async run(ctx, op) {
      try {
        const result = await metering.run(ctx, op);
        send('info', summary(result.record, result.callId));
        return result;
      } catch (error) {
        if (error instanceof MeteredCallError)
          send('warning', { ...summary(error.record, error.callId), message: error.message });
        throw error;
      }
    },
  };
}
