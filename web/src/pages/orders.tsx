// Placing an order from a form (read and checked by the terms module exactly as `sonm orders
// create` reads an order file: a wrong value is named and nothing is signed), and one order with
// the open asks that would match it now.
import { useState } from 'preact/hooks';
import { chainNow } from '../chain';
import { useConsole } from '../context';
import { IndexerError, get } from '../indexer';
import type { OrderForm, OrderSpec } from '../terms';
import { Address, Show, TxStatus, describeError, eventNumber, pause, useLoad, useTx } from '../ui';
import { OrderTable } from './book';
import { TermsError } from '../terms';

/** The `place_order` argument for a checked order (accounts already resolved). */
function orderTerms(spec: OrderSpec, expiresAt: number | null) {
  return {
    side: spec.side,
    price: { perSecond: spec.price.perSecond, unit: spec.price.unit === 'SNM' ? 'Snm' : 'Usd' },
    duration: spec.duration,
    counterparty: spec.counterparty,
    minIdentity: spec.minIdentity,
    curator: spec.curator,
    tag: spec.tag,
    benchmarks: spec.benchmarks,
    netflags: spec.netflags,
    expiresAt,
  };
}

export function PlaceOrderPage() {
  const { api, terms } = useConsole();
  const benchmarks = terms.benchmarks();
  const [form, setForm] = useState<OrderForm>({ side: 'bid', price: '', duration: '1h', resources: [] });
  const [fieldError, setFieldError] = useState<{ field?: string; message: string } | undefined>();
  const [placed, setPlaced] = useState<number | undefined>();
  const [tx, send] = useTx();
  const resource = (name: string) => form.resources?.find(([n]) => n === name)?.[1] ?? '';
  const setResource = (name: string, value: string) =>
    setForm({ ...form, resources: [...(form.resources ?? []).filter(([n]) => n !== name), [name, value]] });
  const text = (field: keyof OrderForm, label: string, placeholder = '') => (
    <label class={fieldError?.field === field ? 'invalid' : ''}>
      {label}
      <input
        name={field}
        value={(form[field] as string | undefined) ?? ''}
        placeholder={placeholder}
        onInput={(e) => setForm({ ...form, [field]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  const flag = (field: 'overlay' | 'outbound' | 'incoming') => (
    <label>
      <input type="checkbox" name={field} checked={!!form[field]} onChange={(e) => setForm({ ...form, [field]: (e.target as HTMLInputElement).checked })} />
      {field}
    </label>
  );

  const submitOrder = async (event: Event) => {
    event.preventDefault();
    setPlaced(undefined);
    let spec: OrderSpec;
    try {
      spec = terms.parseOrder(form);
    } catch (error) {
      // Refused before anything is signed.
      setFieldError({ field: error instanceof TermsError ? error.field : undefined, message: describeError(error) });
      return;
    }
    setFieldError(undefined);
    const expiresAt = spec.expiresIn === null ? null : (await chainNow(api)) + spec.expiresIn;
    const call = api.tx.market.placeOrder(orderTerms(spec, expiresAt));
    setPlaced(eventNumber(await send(call), 'market', 'OrderPlaced'));
  };

  return (
    <section>
      <h2>Place an order</h2>
      <form class="order-form" onSubmit={submitOrder} data-testid="order-form">
        <label>
          side
          <select name="side" value={form.side ?? undefined} onChange={(e) => setForm({ ...form, side: (e.target as HTMLSelectElement).value })}>
            <option value="bid">bid (buy)</option>
            <option value="ask">ask (sell)</option>
          </select>
        </label>
        {text('price', 'price', '2.5 USD/h, 0.1 SNM/h')}
        {text('duration', 'duration', '8h, 1h30m, 0 for spot')}
        {text('counterparty', 'counterparty (optional)', 'an address')}
        {text('identity', 'least identity (optional)', 'anonymous … professional')}
        {text('blacklist', "apply this curator's blacklist (optional)", 'an address')}
        {text('tag', 'tag (optional)')}
        {text('expiresIn', 'expires in (optional)', '1d')}
        <fieldset>
          <legend>network</legend>
          {flag('overlay')}
          {flag('outbound')}
          {flag('incoming')}
        </fieldset>
        <fieldset>
          <legend>resources (offered by an ask, required by a bid)</legend>
          {benchmarks.map(({ name, kind }) => (
            <label key={name} class={fieldError?.field === name ? 'invalid' : ''}>
              {name}
              <input
                name={name}
                value={resource(name)}
                placeholder={kind === 'size' ? '2 GiB' : kind === 'bandwidth' ? '100 Mbit/s' : '0'}
                onInput={(e) => setResource(name, (e.target as HTMLInputElement).value)}
              />
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={tx.busy}>
          Sign and place
        </button>
      </form>
      {fieldError && (
        <p class="error" role="alert" data-testid="form-error" data-field={fieldError.field}>
          {fieldError.message}
        </p>
      )}
      <TxStatus state={tx} />
      {placed !== undefined && !tx.busy && !tx.error && (
        <p data-testid="order-placed">
          Placed as order <a href={`#/orders/${placed}`}>{placed}</a>. <a href="#/mine">My orders and deals</a>
        </p>
      )}
    </section>
  );
}

/** How often the page asks again for an order the chain has and the indexer has not reached. */
const INDEXER_RETRY_MS = 2000;

export function OrderPage({ id }: { id: number }) {
  const { endpoints, api } = useConsole();
  // The indexer follows finalized blocks: an order placed a moment ago (its link is shown as
  // soon as its block is in) is on the chain before the indexer has it. Such an order is waited
  // for, and said so; an id the chain never gave is refused as the indexer refuses it.
  const [waiting, setWaiting] = useState(false);
  const order = useLoad(async (signal) => {
    setWaiting(false);
    for (;;) {
      try {
        return await get(endpoints.indexer, '/orders/{id}', { id });
      } catch (error) {
        if (!(error instanceof IndexerError && error.errorName === 'NotFound')) throw error;
        const next = (await api.query.market.nextOrderId()).toString();
        if (id >= Number(next) || signal.aborted) throw error;
        setWaiting(true);
        await pause(INDEXER_RETRY_MS, signal);
      }
    }
  }, [id]);
  return (
    <section>
      <h2>Order {id}</h2>
      {waiting && order.data === undefined && !order.error && (
        <p class="progress" data-testid="order-not-indexed">
          Order {id} is on the chain; waiting for the indexer to reach its block…
        </p>
      )}
      <Show loaded={order} what={`order ${id}`}>
        {(data) => (
          <>
            <OrderTable orders={[data]} testid="order" />
            <p>
              Author: <Address address={data.author} /> {data.deal != null && <>made deal <a href={`#/deals/${data.deal}`}>{data.deal}</a></>}
            </p>
            {data.side === 'Bid' && data.status === 'Active' && <Matches id={id} />}
          </>
        )}
      </Show>
    </section>
  );
}

function Matches({ id }: { id: number }) {
  const { endpoints, api } = useConsole();
  const matches = useLoad(() => get(endpoints.indexer, '/orders/{id}/matches', { id, limit: 20 }), [id]);
  const [tx, send] = useTx();
  return (
    <>
      <h3>Asks that would match it now</h3>
      <Show loaded={matches} what="matches">
        {(asks) => (
          <>
            <OrderTable orders={asks} testid="matches" />
            {asks.length > 0 && (
              <button data-testid="open-deal" disabled={tx.busy} onClick={() => send(api.tx.market.openDeal(asks[0].id, id))}>
                Open a deal with the best ({asks[0].id})
              </button>
            )}
            <TxStatus state={tx} />
          </>
        )}
      </Show>
    </>
  );
}
