import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers; the server writes it with the security headers every answer carries. */
export type Reply =
  | { readonly status: number; readonly json: unknown; readonly headers?: Record<string, string> }
  | { readonly status: number; readonly html: string; readonly headers?: Record<string, string> }
  | { readonly status: number; readonly text: string; readonly contentType: string; readonly headers?: Record<string, string> }
  | { readonly status: 303; readonly redirect: string; readonly headers?: Record<string, string> };

/** A refusal with the status to answer and, for bad input, every problem found. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly problems: readonly string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const isHttpError = (e: unknown): e is HttpError => e instanceof HttpError;

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, json: body, headers });

/** Versions and positions are bigints; JSON carries them as strings so no client rounds them. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * Reads the body up to `limit` bytes and stops reading past it (413), so a client cannot make the
 * gateway buffer an unbounded request.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  // The rest of the body is never read, so the connection cannot be reused.
  const close = { Connection: 'close' };
  if (declared > limit) throw new HttpError(413, `the request body is ${declared} bytes; the limit is ${limit} (--max-body-bytes)`, [], close);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `the request body exceeds the limit of ${limit} bytes (--max-body-bytes)`, [], close);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON body, refused unless sent as JSON: a form cannot post it cross-site without a CORS preflight. */
export async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, `send the body as Content-Type: application/json (got ${type ? JSON.stringify(type) : 'none'})`);
  const text = (await readBody(request, limit)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}

/** A urlencoded form body (the UI's buttons post these). */
export async function readForm(request: IncomingMessage, limit: number): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(request, limit)).toString('utf8'));
}

/** Sent with every answer: nothing framed, sniffed or leaked through the referrer; scripts only from the gateway itself. */
export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export function writeReply(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...securityHeaders, ...reply.headers };
  let body: string;
  if ('json' in reply) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    body = toJson(reply.json);
  } else if ('html' in reply) {
    headers['Content-Type'] = 'text/html; charset=utf-8';
    body = reply.html;
  } else if ('redirect' in reply) {
    headers.Location = reply.redirect;
    body = '';
  } else {
    headers['Content-Type'] = reply.contentType;
    body = reply.text;
  }
  response.writeHead(reply.status, headers);
  response.end(body);
}
