// The chosen account's orders and open deals (from the node: time used, paid, escrow left,
// change requests with accept and reject, close with or without blacklisting), and its history
// per month from the indexer.
import { useState } from 'preact/hooks';
import { chainNow, marketRpc } from '../chain';
import { useConsole } from '../context';
import { get } from '../indexer';
import type { ChangeRequest, CloseQuote, Deal } from '../generated/shapes';
import { Address, Show, TxStatus, useLoad, useTx } from '../ui';
import { OrderTable } from './book';

export function MinePage() {
  const { account } = useConsole();
  if (!account) return <p>No account: connect a wallet extension.</p>;
  return <Mine key={account.address} me={account.address} name={account.name} />;
}

function Mine({ me, name }: { me: string; name: string }) {
  const { endpoints, api, finalized } = useConsole();
  const orders = useLoad(() => get(endpoints.indexer, '/orders', { author: me, status: 'Active', limit: 100 }), [me, finalized]);
  const deals = useLoad(() => marketRpc<Deal[]>('dealsOf', [me, null, 1000]), [me, finalized]);
  const [tx, send] = useTx();
  const cancel = async (id: number) => {
    if (await send(api.tx.market.cancelOrder(id))) orders.reload();
  };
  return (
    <section>
      <h2>My orders and deals</h2>
      <p>
        Signing as <Address address={me} /> ({name})
      </p>
      <h3>Open orders</h3>
      <Show loaded={orders} what="my orders">
        {(page) => (
          <>
            <OrderTable orders={page.items} testid="my-orders" />
            {page.items.map((o) => (
              <button key={o.id} data-testid={`cancel-${o.id}`} disabled={tx.busy} onClick={() => cancel(o.id)}>
                Cancel {o.id}
              </button>
            ))}
          </>
        )}
      </Show>
      <h3>Open deals</h3>
      <Show loaded={deals} what="my deals">
        {(list) =>
          list.length === 0 ? (
            <p data-testid="no-deals">No open deals.</p>
          ) : (
            list.map((deal) => <DealCard key={deal.id} deal={deal} me={me} send={send} busy={tx.busy} onChange={deals.reload} />)
          )
        }
      </Show>
      {/* Below the deals, not in a deal's card: a closed deal's card goes with its deal. */}
      <TxStatus state={tx} />
      <HistoryTable address={me} />
    </section>
  );
}

/** One open deal with what can be done to it (signed through the page's one transaction). */
function DealCard({
  deal,
  me,
  send,
  busy,
  onChange,
}: {
  deal: Deal;
  me: string;
  send: ReturnType<typeof useTx>[1];
  busy: boolean;
  onChange(): void;
}) {
  const { api, terms, finalized } = useConsole();
  const now = useLoad(() => chainNow(api), [deal.id, finalized]);
  const changes = useLoad(() => marketRpc<ChangeRequest[]>('changeRequests', [deal.id]), [deal.id, finalized]);
  // Reckoned by the pallet itself, as closing would (market_closeQuote).
  const quote = useLoad(() => marketRpc<CloseQuote | null>('closeQuote', [deal.id]), [deal.id, finalized]);
  const [blacklist, setBlacklist] = useState(false);
  const mySide = deal.consumer === me ? 'Bid' : 'Ask';
  const act = async (call: Parameters<typeof send>[0]) => {
    if (await send(call)) onChange();
  };
  const used = now.data === undefined ? undefined : Math.max(0, now.data - deal.start);
  return (
    <article class="deal" data-testid={`deal-${deal.id}`}>
      <h4>
        <a href={`#/deals/${deal.id}`}>Deal {deal.id}</a> · {mySide === 'Bid' ? 'buying from' : 'selling to'}{' '}
        <Address address={mySide === 'Bid' ? deal.supplier : deal.consumer} />
      </h4>
      <dl>
        <dt>price</dt>
        <dd>{terms.format('price', deal.price)}</dd>
        <dt>duration</dt>
        <dd>{terms.format('duration', deal.duration)}</dd>
        <dt>time used</dt>
        <dd>{used === undefined ? '…' : terms.format('span', used)}</dd>
        <dt>paid</dt>
        <dd data-testid="deal-paid">{terms.format('snm', deal.paid)}</dd>
        <dt>held in escrow</dt>
        <dd data-testid="deal-escrow">{terms.format('snm', deal.escrow)}</dd>
        <dt>refund if closed now</dt>
        <dd data-testid="deal-refund-now">{quote.data ? terms.format('snm', quote.data.refund) : '…'}</dd>
        <dt>billed on closing now</dt>
        <dd>{quote.data ? terms.format('snm', quote.data.due) : '…'}</dd>
      </dl>
      <Show loaded={changes} what="change requests">
        {(list) =>
          list.length === 0 ? null : (
            <ul>
              {list.map((change) => (
                <li key={change.side}>
                  {change.side === mySide ? 'You asked' : 'They ask'} for {terms.format('price', { perSecond: change.perSecond, unit: deal.price.unit })} for{' '}
                  {terms.format('duration', change.duration)}{' '}
                  {change.side === mySide ? (
                    <button onClick={() => act(api.tx.market.dropChange(deal.id, mySide))}>Withdraw</button>
                  ) : (
                    <>
                      <button onClick={() => act(api.tx.market.acceptChange(deal.id))}>Accept</button>
                      <button onClick={() => act(api.tx.market.dropChange(deal.id, change.side))}>Reject</button>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Show>
      <label>
        <input type="checkbox" data-testid="close-blacklist" checked={blacklist} onChange={(e) => setBlacklist((e.target as HTMLInputElement).checked)} />
        blacklist {mySide === 'Bid' ? 'the supplier' : 'the customer'} on close
      </label>
      <button data-testid="close-deal" disabled={busy} onClick={() => act(api.tx.market.closeDeal(deal.id, blacklist))}>
        Close deal {deal.id}
      </button>
      <a href={`#/deals/${deal.id}/task`}>Task</a>
    </article>
  );
}

/** An account's deals and payments per month, from the indexer. */
export function HistoryTable({ address }: { address: string }) {
  const { endpoints, terms, finalized } = useConsole();
  const history = useLoad(() => get(endpoints.indexer, '/accounts/{address}/history', { address, period: 'month' }), [address, finalized]);
  const closed = useLoad(() => get(endpoints.indexer, '/deals', { account: address, status: 'Closed', sort: 'time', order: 'desc', limit: 50 }), [
    address,
    finalized,
  ]);
  return (
    <>
      <h3>History per month</h3>
      <Show loaded={history} what="history">
        {(data) => (
          <table data-testid="history">
            <thead>
              <tr>
                <th>month</th>
                <th>orders</th>
                <th>deals opened</th>
                <th>closed</th>
                <th>paid</th>
                <th>received</th>
                <th>refunded</th>
                <th>deposited</th>
                <th>withdrawn</th>
              </tr>
            </thead>
            <tbody>
              {data.periods.map((p) => (
                <tr key={p.start}>
                  <td>{terms.format('utc', p.start).slice(0, 7)}</td>
                  <td>{p.ordersPlaced}</td>
                  <td>{p.dealsOpened}</td>
                  <td>{p.dealsClosed}</td>
                  <td>{terms.format('snm', p.paidOut)}</td>
                  <td>{terms.format('snm', p.received)}</td>
                  <td data-testid="history-refunded">{terms.format('snm', p.refunded)}</td>
                  <td>{terms.format('snm', p.deposited)}</td>
                  <td>{terms.format('snm', p.withdrawn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
      <h3>Closed deals</h3>
      <Show loaded={closed} what="closed deals">
        {(page) => (
          <table data-testid="closed-deals">
            <thead>
              <tr>
                <th>deal</th>
                <th>supplier</th>
                <th>customer</th>
                <th>how it ended</th>
                <th>paid</th>
                <th>refund</th>
                <th>blacklisted</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((deal) => (
                <tr key={deal.id} data-deal={deal.id}>
                  <td>
                    <a href={`#/deals/${deal.id}`}>{deal.id}</a>
                  </td>
                  <td>
                    <Address address={deal.supplier} />
                  </td>
                  <td>
                    <Address address={deal.consumer} />
                  </td>
                  <td>{deal.closeReason}</td>
                  <td>{terms.format('snm', deal.paid)}</td>
                  <td data-testid="closed-refund">{deal.refund === null ? '—' : terms.format('snm', deal.refund)}</td>
                  <td>{deal.blacklisted ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}
