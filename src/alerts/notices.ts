import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';

export type Notice = LoggingMessageNotification['params'];
export type NoticeListener = (notice: Notice) => void;

/**
 * Connects alerts to every MCP session this process serves. The runtime owns one board; each
 * server created from it subscribes, and unsubscribes when its transport closes, so a notice
 * reaches the stdio client and every live /mcp session without any global registry.
 */
export interface NoticeBoard {
  subscribe(listener: NoticeListener): () => void;
  publish(notice: Notice): void;
  readonly subscribers: number;
}

export function createNoticeBoard(): NoticeBoard {
  const listeners = new Set<NoticeListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    publish(notice) {
      for (const listener of listeners) {
        try {
          listener(notice);
        } catch {
          // One broken session must not stop the others hearing about it.
        }
      }
    },
    get subscribers() {
      return listeners.size;
    },
  };
}

/** Forwards the board's notices to this server's client as notifications/message. */
export function attachNotices(server: McpServer, board: NoticeBoard): void {
  const unsubscribe = board.subscribe((notice) => {
    // Not yet connected, or the client went away: a notice is best effort, never an error.
    if (!server.isConnected()) return;
    server.sendLoggingMessage(notice).catch(() => undefined);
  });
  const previous = server.server.onclose;
  server.server.onclose = () => {
    unsubscribe();
    previous?.();
  };
}
