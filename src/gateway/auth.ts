import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './http.ts';

export const sessionCookie = 'streamfold_session';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests, not the strings: equal lengths, and no early exit that times the token. */
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

/** The UI's cookie holds a MAC of the token, not the token, so the cookie alone does not reveal it. */
export const sessionValueOf = (token: string) => createHmac('sha256', token).update('streamfold-ui-session').digest('base64url');

export function sessionCookieHeader(token: string): string {
  return `${sessionCookie}=${sessionValueOf(token)}; HttpOnly; SameSite=Strict; Path=/`;
}

/** What the checks read of a request: its headers (a node:http or a fastify request). */
type WithHeaders = { readonly headers: IncomingHttpHeaders };

function cookieValue(request: WithHeaders, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * Who may call: anyone when no token is set; otherwise a bearer token (API clients) or the UI's
 * session cookie (browsers, after /ui/login). Undefined means not authenticated.
 */
export function authenticate(request: WithHeaders, token: string | undefined): 'open' | 'bearer' | 'cookie' | undefined {
  if (token === undefined) return 'open';
  const header = request.headers.authorization;
  if (header !== undefined) {
    const [scheme, given] = header.split(' ');
    if (scheme?.toLowerCase() === 'bearer' && given !== undefined && sameSecret(given, token)) return 'bearer';
    return undefined;
  }
  const session = cookieValue(request, sessionCookie);
  if (session !== undefined && sameSecret(session, sessionValueOf(token))) return 'cookie';
  return undefined;
}

export const isTokenCorrect = (given: string, token: string) => sameSecret(given, token);

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
export const isLoopback = (host: string) => loopbackNames.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * A gateway on a loopback address answers only requests addressed to a loopback name: a web page
 * that rebinds its own domain to 127.0.0.1 (DNS rebinding) sends its own name in Host and is refused.
 */
export function checkHost(request: WithHeaders, boundHost: string): void {
  if (!isLoopback(boundHost)) return;
  const host = request.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0] ?? '';
  if (!isLoopback(name)) throw new HttpError(421, `this gateway listens on ${boundHost} and answers only requests to a loopback name, not ${JSON.stringify(host)}`);
}

/**
 * A state-changing request from a browser must come from the gateway's own pages. Browsers say
 * where a request comes from (Origin, Sec-Fetch-Site); clients that send neither are not browsers.
 */
export function checkSameOrigin(request: WithHeaders): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, `cross-site requests are refused (Sec-Fetch-Site: ${site})`);
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'the Origin header is not a URL');
  }
  if (originHost !== request.headers.host) throw new HttpError(403, `requests from ${origin} are refused; only this gateway's own pages may change things`);
}
