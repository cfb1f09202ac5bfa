// The order book: open asks and bids through the indexer with filters on every field (values in
// human units, read by the terms module), a depth chart of price against cumulative CPU cores,
// and the price index per core-hour over time.
import { useState } from 'preact/hooks';
import { useConsole } from '../context';
import type { PriceUnit, Side } from '../generated/shapes';
import { get, type Params, type Query } from '../indexer';
import type { IndexedOrder, PriceIndex } from '../generated/indexer';
import { Address, Show, describeError, useLoad } from '../ui';

/** The filters as typed. */
interface Filters {
  side: Side;
  unit: PriceUnit;
  price: [string, string];
  duration: [string, string];
  resources: Record<string, [string, string]>;
}

const EMPTY: Filters = { side: 'Ask', unit: 'SNM', price: ['', ''], duration: ['', ''], resources: {} };

/** Order rows with resources in human units. */
export function OrderTable({ orders, testid }: { orders: IndexedOrder[]; testid: string }) {
  const { terms } = useConsole();
  if (orders.length === 0) return <p data-testid={`${testid}-empty`}>No orders.</p>;
  const prices = terms.formatMany('price', orders.map((o) => o.price));
  const durations = terms.formatMany('duration', orders.map((o) => o.duration));
  const memory = terms.formatMany('size', orders.map((o) => o.benchmarks[3] ?? 0));
  const gpuMemory = terms.formatMany('size', orders.map((o) => o.benchmarks[8] ?? 0));
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          <th>id</th>
          <th>side</th>
          <th>author</th>
          <th>price</th>
          <th>duration</th>
          <th>cores</th>
          <th>memory</th>
          <th>GPUs</th>
          <th>GPU memory</th>
          <th>status</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((order, i) => (
          <tr key={order.id} data-order={order.id}>
            <td>
              <a href={`#/orders/${order.id}`}>{order.id}</a>
            </td>
            <td>{order.side}</td>
            <td>
              <Address address={order.author} />
            </td>
            <td>{prices[i]}</td>
            <td>{durations[i]}</td>
            <td>{order.benchmarks[2] ?? 0}</td>
            <td>{memory[i]}</td>
            <td>{order.benchmarks[7] ?? 0}</td>
            <td>{gpuMemory[i]}</td>
            <td>{order.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Price (per hour) against cumulative CPU cores: asks from the cheapest up, bids from the dearest down. */
export function DepthChart({ asks, bids }: { asks: IndexedOrder[]; bids: IndexedOrder[] }) {
  const perHour = (o: IndexedOrder) => Number(BigInt(o.price.perSecond) * 3600n) / 1e18;
  const steps = (orders: IndexedOrder[], ascending: boolean) => {
    const sorted = [...orders].sort((a, b) => (ascending ? perHour(a) - perHour(b) : perHour(b) - perHour(a)));
    let cores = 0;
    return sorted.map((o) => ({ price: perHour(o), cores: (cores += Math.max(1, o.benchmarks[2] ?? 0)) }));
  };
  const askSteps = steps(asks, true);
  const bidSteps = steps(bids, false);
  const all = [...askSteps, ...bidSteps];
  if (all.length === 0) return <p>No open orders to chart.</p>;
  const width = 640;
  const height = 220;
  const maxPrice = Math.max(...all.map((s) => s.price)) || 1;
  const maxCores = Math.max(...all.map((s) => s.cores)) || 1;
  const x = (price: number) => 40 + (price / maxPrice) * (width - 60);
  const y = (cores: number) => height - 25 - (cores / maxCores) * (height - 40);
  // A staircase from zero: each order adds its cores at its price.
  const path = (points: { price: number; cores: number }[]) => {
    let previous = 0;
    return points
      .map((p, i) => {
        const step = `${i === 0 ? 'M' : 'L'}${x(p.price).toFixed(1)},${y(previous).toFixed(1)} L${x(p.price).toFixed(1)},${y(p.cores).toFixed(1)}`;
        previous = p.cores;
        return step;
      })
      .join(' ');
  };
  return (
    <svg class="chart" data-testid="depth-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Depth chart">
      <line x1="40" y1={height - 25} x2={width - 20} y2={height - 25} class="axis" />
      <line x1="40" y1="15" x2="40" y2={height - 25} class="axis" />
      <path d={path(askSteps)} class="asks" />
      <path d={path(bidSteps)} class="bids" />
      {askSteps.map((p) => (
        <circle cx={x(p.price)} cy={y(p.cores)} r="3" class="asks" />
      ))}
      {bidSteps.map((p) => (
        <circle cx={x(p.price)} cy={y(p.cores)} r="3" class="bids" />
      ))}
      <text x="44" y="14">{maxCores} cores</text>
      <text x={width - 20} y={height - 8} text-anchor="end">
        {maxPrice.toPrecision(3)} /h
      </text>
      <text x="44" y={height - 8}>0</text>
    </svg>
  );
}

/** The median and quartiles of the price per core-hour, per day. */
export function PriceIndexChart({ index }: { index: PriceIndex }) {
  const points = index.series.all ?? Object.values(index.series)[0] ?? [];
  if (points.length === 0) return <p data-testid="price-index-empty">No asks in the index yet.</p>;
  const value = (amount: string) => Number(BigInt(amount)) / 1e18;
  const width = 640;
  const height = 180;
  const max = Math.max(...points.map((p) => value(p.q3))) || 1;
  const first = points[0].start;
  const last = points[points.length - 1].start;
  const x = (t: number) => 40 + (last === first ? 0.5 : (t - first) / (last - first)) * (width - 60);
  const y = (v: number) => height - 20 - (v / max) * (height - 35);
  const line = (pick: (p: (typeof points)[0]) => string) =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.start).toFixed(1)},${y(value(pick(p))).toFixed(1)}`).join(' ');
  return (
    <svg class="chart" data-testid="price-index" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Price index">
      <path d={line((p) => p.q1)} class="quartile" />
      <path d={line((p) => p.median)} class="median" />
      <path d={line((p) => p.q3)} class="quartile" />
      {points.map((p) => (
        <circle cx={x(p.start)} cy={y(value(p.median))} r="3" class="median" />
      ))}
      <text x="44" y="12">
        {max.toPrecision(3)} {index.unit} per core-hour (q3)
      </text>
    </svg>
  );
}

export function BookPage() {
  const { endpoints, terms, finalized } = useConsole();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [params, setParams] = useState<Query<'/orders'>>({ side: 'Ask', status: 'Active', unit: 'SNM', sort: 'price' });
  const [filterError, setFilterError] = useState<string | undefined>();
  const benchmarks = terms.benchmarks();

  const orders = useLoad(() => get(endpoints.indexer, '/orders', { ...params, limit: 200, count: true }), [
    JSON.stringify(params),
    finalized,
  ]);
  const depth = useLoad(
    async () => {
      const base = { status: 'Active', unit: params.unit, sort: 'price', limit: 1000 } as const;
      const [asks, bids] = await Promise.all([
        get(endpoints.indexer, '/orders', { ...base, side: 'Ask' }),
        get(endpoints.indexer, '/orders', { ...base, side: 'Bid', order: 'desc' }),
      ]);
      return { asks: asks.items, bids: bids.items };
    },
    [params.unit, finalized],
  );
  const index = useLoad(() => get(endpoints.indexer, '/prices/index', { resource: 'core', unit: params.unit, period: 'day' }), [
    params.unit,
  ]);

  /** The typed filters as the indexer's parameters; a wrong value is named and nothing is asked. */
  const apply = (event: Event) => {
    event.preventDefault();
    try {
      const next: Query<'/orders'> = { side: draft.side, status: 'Active', unit: draft.unit, sort: 'price' };
      const range = (name: string, [low, high]: [string, string], read: (text: string) => string) => {
        if (!low.trim() && !high.trim()) return;
        (next as Params)[name] = `${low.trim() ? read(low) : ''}..${high.trim() ? read(high) : ''}`;
      };
      range('price', draft.price, (text) => terms.parseValue<{ perSecond: string }>('price', text).perSecond);
      range('duration', draft.duration, (text) => String(terms.parseValue<number>('duration', text)));
      for (const [name, bounds] of Object.entries(draft.resources)) {
        range(name.replaceAll('-', '_'), bounds, (text) => terms.parseValue(name, text));
      }
      setFilterError(undefined);
      setParams(next);
    } catch (error) {
      setFilterError(describeError(error));
    }
  };
  const bound = (value: [string, string], index: 0 | 1, set: (v: [string, string]) => void) => (
    <input
      value={value[index]}
      placeholder={index === 0 ? 'from' : 'to'}
      onInput={(e) => {
        const next: [string, string] = [...value];
        next[index] = (e.target as HTMLInputElement).value;
        set(next);
      }}
    />
  );

  return (
    <section>
      <h2>Order book</h2>
      <form class="filters" onSubmit={apply} data-testid="book-filters">
        <label>
          side
          <select value={draft.side} onChange={(e) => setDraft({ ...draft, side: (e.target as HTMLSelectElement).value as Side })}>
            <option value="Ask">asks</option>
            <option value="Bid">bids</option>
          </select>
        </label>
        <label>
          unit
          <select value={draft.unit} onChange={(e) => setDraft({ ...draft, unit: (e.target as HTMLSelectElement).value as PriceUnit })}>
            <option>SNM</option>
            <option>USD</option>
          </select>
        </label>
        <label>
          price (e.g. 1 SNM/h) {bound(draft.price, 0, (price) => setDraft({ ...draft, price }))}
          {bound(draft.price, 1, (price) => setDraft({ ...draft, price }))}
        </label>
        <label>
          duration {bound(draft.duration, 0, (duration) => setDraft({ ...draft, duration }))}
          {bound(draft.duration, 1, (duration) => setDraft({ ...draft, duration }))}
        </label>
        {benchmarks.map(({ name }) => {
          const value = draft.resources[name] ?? ['', ''];
          const set = (v: [string, string]) => setDraft({ ...draft, resources: { ...draft.resources, [name]: v } });
          return (
            <label key={name}>
              {name} {bound(value, 0, set)}
              {bound(value, 1, set)}
            </label>
          );
        })}
        <button type="submit">Filter</button>
        {filterError && (
          <p class="error" role="alert" data-testid="filter-error">
            {filterError}
          </p>
        )}
      </form>
      <Show loaded={orders} what="orders">
        {(page) => (
          <>
            <p data-testid="book-total">{page.total ?? page.items.length} orders match</p>
            <OrderTable orders={page.items} testid="book" />
          </>
        )}
      </Show>
      <h3>Depth</h3>
      <Show loaded={depth} what="depth">
        {({ asks, bids }) => <DepthChart asks={asks} bids={bids} />}
      </Show>
      <h3>Price index per core-hour</h3>
      <Show loaded={index} what="the price index">
        {(data) => <PriceIndexChart index={data} />}
      </Show>
    </section>
  );
}
