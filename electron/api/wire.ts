/** The contract's errors and the WebSocket transport's frames. */
import type { EventName } from '../api.js';

export interface ApiErrorShape {
  code: 'invalid_params' | 'unknown_method' | 'not_found' | 'failed' | 'unauthorized';
  message: string;
  issues?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
    readonly issues?: ApiErrorShape['issues'],
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

/** Wire frames of the WebSocket transport (JSON-RPC style). */
export type ClientFrame = { id: number; method: string; params?: unknown };
export type ServerFrame =
  | { id: number; result: unknown }
  | { id: number; error: ApiErrorShape }
  | { event: EventName; data: unknown };
