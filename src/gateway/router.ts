import type { IncomingMessage } from 'node:http';
import { HttpError, type Reply } from './http.ts';

export interface RouteRequest {
  readonly raw: IncomingMessage;
  readonly url: URL;
  readonly params: Record<string, string>;
  /** How the caller proved who it is; `cookie` means a browser session of the UI. */
  readonly auth: 'open' | 'bearer' | 'cookie';
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** `/streams/:aggregateUuid`: the pattern, not the path, names the route in metrics and logs. */
  readonly pattern: string;
  readonly handle: (request: RouteRequest) => Promise<Reply>;
  /** Pages a browser may reach without a token, to log in (and their stylesheet and script). */
  readonly public?: boolean;
}

export interface Match {
  readonly route: Route;
  readonly params: Record<string, string>;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      params[w.slice(1)] = decodeSegment(g);
    } else if (w !== g) return undefined;
  }
  return params;
}

/** Finds the route for a method and path; 404 when no pattern fits, 405 (with Allow) when only the method is wrong. */
export function findRoute(routes: readonly Route[], method: string, path: string): Match {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (!params) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) throw new HttpError(405, `${method} is not allowed here; use ${allowed.join(' or ')}`, [], { Allow: allowed.join(', ') });
  throw new HttpError(404, `nothing at ${path}; the API is described at /openapi.json and the UI is at /ui`);
}
