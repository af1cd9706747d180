import { randomUUID } from 'node:crypto';
import { CliError, EXIT, exitCodeForStatus } from './exit-codes';

/** An error answer of the controller: its status, code, message, field errors and request id. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly fieldErrors: { field: string; message: string }[],
  ) {
    super(
      `${message} (HTTP ${status}${code ? ` ${code}` : ''}${requestId ? `, request id ${requestId}` : ''})`,
      exitCodeForStatus(status),
      fieldErrors.map((error) => `${error.field}: ${error.message}`),
    );
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  /** POSTs carry an Idempotency-Key, so a retry after a lost answer does not act twice. */
  idempotencyKey?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The controller's REST API, with the token of the current context. */
export class LatticeClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request<T>(method: string, route: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(route, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const idempotencyKey = method === 'POST' ? (options.idempotencyKey ?? randomUUID()) : undefined;
    // One retry on a network failure: POSTs are safe to repeat with the same Idempotency-Key.
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        if (attempt < 2) continue;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError(
          `cannot reach the controller at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
          EXIT.UNAVAILABLE,
        );
      }
      const text = await response.text();
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      if (response.ok) return body as T;
      const error = (body ?? {}) as {
        error?: string;
        message?: string;
        requestId?: string;
        errors?: { field: string; message: string }[];
      };
      throw new ApiError(
        response.status,
        error.error ?? '',
        error.message ?? (text.slice(0, 200) || response.statusText),
        error.requestId ?? response.headers.get('x-request-id') ?? undefined,
        error.errors ?? [],
      );
    }
  }
}
