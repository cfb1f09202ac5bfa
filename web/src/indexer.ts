// sonm-indexer's read API: GET a route with query parameters, the JSON answer, or the refusal
// the indexer names (`{"error": "BadValue", "message": ...}`) as an IndexerError.

/** Where the indexer answers by default (`sonm_client::indexer_api::DEFAULT_ADDRESS`). */
export const DEFAULT_INDEXER = 'http://127.0.0.1:9640';

/** A refusal of the indexer, by name, or a failure to reach it (`Unreachable`). */
export class IndexerError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(`${errorName}: ${message}`);
  }
}

/** Query parameters; absent ones are left out. */
export type Params = Record<string, string | number | boolean | undefined>;

/** The URL of `route` with `params` on the indexer at `base`. */
export function routeUrl(base: string, route: string, params: Params = {}): string {
  const url = new URL(route, base.endsWith('/') ? base : `${base}/`);
  url.pathname = route;
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  }
  return url.toString();
}

/** GETs `route` with `params`; the answer as `T`. */
export async function get<T>(base: string, route: string, params: Params = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(routeUrl(base, route, params));
  } catch (error) {
    throw new IndexerError(0, 'Unreachable', `no answer from ${base}: ${String(error)}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let refusal: { error?: string; message?: string } = {};
    try {
      refusal = JSON.parse(text);
    } catch {
      // Not the indexer's JSON: named by its status below.
    }
    throw new IndexerError(
      response.status,
      refusal.error ?? `Http${response.status}`,
      refusal.message ?? text.slice(0, 200),
    );
  }
  return JSON.parse(text) as T;
}
