// sonm-indexer's read API: GET a route with query parameters, the JSON answer, or the refusal
// the indexer names (`{"error": "BadValue", "message": ...}`) as an IndexerError. Routes, their
// parameters and answers are typed from the indexer's OpenAPI document (src/generated/).
import type { paths } from './generated/indexer';

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

/** Parameters; absent ones are left out. */
export type Params = Record<string, string | number | boolean | undefined>;

/** A route as the indexer's OpenAPI document names it (`/orders/{id}`). */
export type Route = keyof paths;
type Operation<R extends Route> = paths[R]['get'];
type Defined<T> = [NonNullable<T>] extends [never] ? unknown : NonNullable<T>;
type PathOf<R extends Route> = Operation<R>['parameters'] extends { path: infer P } ? { [K in keyof P]: string | number } : unknown;

/** A route's query parameters, with its path's (`{id}`) by name. */
export type Query<R extends Route> = Defined<Operation<R>['parameters']['query']> & PathOf<R>;
/** What a route answers. */
export type Answer<R extends Route> = Operation<R>['responses'][200]['content']['application/json'];

/** The URL of `route` on the indexer at `base`: `{name}` in the path filled from `params`, the
 * others as the query. */
export function routeUrl(base: string, route: string, params: Params = {}): string {
  let path = route;
  const query: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (path.includes(`{${name}}`)) path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
    else query.push([name, String(value)]);
  }
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  url.pathname = path;
  for (const [name, value] of query) url.searchParams.set(name, value);
  return url.toString();
}

/** GETs `route` with `params`; its answer. */
export async function get<R extends Route>(base: string, route: R, params?: Query<R>): Promise<Answer<R>> {
  let response: Response;
  try {
    response = await fetch(routeUrl(base, route, (params ?? {}) as Params));
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
  return JSON.parse(text) as Answer<R>;
}
