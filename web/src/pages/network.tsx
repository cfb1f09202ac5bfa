// The market's people and machinery: a supplier's record, the workers with their control-plane
// addresses and masters, the masternodes with their stakes, the session and rewards, the
// oracle's prices with their age, KYC providers and my level, blacklists and subscriptions, and
// the gateway's transfers. Chain state from the node, history from the indexer.
import { bytesText, chainNow } from '../chain';
import { useConsole } from '../context';
import { get } from '../indexer';
import { OrderTable } from './book';
import { Address, Show, TxStatus, useLoad, useTx } from '../ui';
import { HistoryTable } from './mine';
import { useState } from 'preact/hooks';

export function SupplierPage({ address }: { address: string }) {
  const { endpoints, terms } = useConsole();
  const record = useLoad(() => get(endpoints.indexer, '/suppliers/{address}', { address }), [address]);
  return (
    <section>
      <h2>
        Account <span class="address-full">{address}</span>
      </h2>
      <h3>As a supplier</h3>
      <Show loaded={record} what="the supplier's record">
        {(r) => (
          <dl data-testid="supplier-record">
            <dt>deals</dt>
            <dd>{r.deals} ({r.open} open)</dd>
            <dt>completed</dt>
            <dd>{r.completed}</dd>
            <dt>closed early by the customer</dt>
            <dd>{r.closedByCustomer}</dd>
            <dt>closed by the supplier</dt>
            <dd>{r.closedBySupplier}</dd>
            <dt>ended unpaid</dt>
            <dd>{r.closedUnpaid}</dd>
            <dt>blacklisted after</dt>
            <dd data-testid="blacklisted-after">{r.blacklistedAfter}</dd>
            <dt>earned</dt>
            <dd>{terms.format('snm', r.earned)}</dd>
            <dt>median per core-hour</dt>
            <dd>{r.medianPerCoreHour === null ? '—' : terms.format('snm', r.medianPerCoreHour)}</dd>
            <dt>active asks</dt>
            <dd>{r.activeAsks}</dd>
          </dl>
        )}
      </Show>
      <HistoryTable address={address} />
    </section>
  );
}

export function WorkersPage() {
  const { api, endpoints, finalized } = useConsole();
  const workers = useLoad(async () => {
    const [records, masters] = await Promise.all([api.query.market.endpoints.entries(), api.query.market.masters.entries()]);
    const masterOf = new Map(masters.map(([key, value]) => [key.args[0].toString(), value.toJSON()]));
    return Promise.all(
      records.map(async ([key, value]) => {
        const worker = key.args[0].toString();
        const record = value.toJSON() as { url?: string } | null;
        // A worker sells each of its plans as one open ask.
        const plans = await get(endpoints.indexer, '/orders', { author: worker, side: 'Ask', status: 'Active', sort: 'price' });
        return { worker, url: bytesText(record?.url), master: masterOf.get(worker), plans: plans.items };
      }),
    );
  }, [finalized]);
  return (
    <section>
      <h2>Workers and their plans</h2>
      <Show loaded={workers} what="workers">
        {(list) =>
          list.length === 0 ? (
            <p>No worker has published a control-plane address.</p>
          ) : (
            list.map((w) => (
              <article class="card" key={w.worker} data-testid="worker">
                <h4>
                  <Address address={w.worker} /> · control plane {w.url}
                  {w.master ? <> · master {JSON.stringify(w.master)}</> : null}
                </h4>
                <OrderTable orders={w.plans} testid="worker-plans" />
              </article>
            ))
          )
        }
      </Show>
    </section>
  );
}

export function MasternodesPage() {
  const { api, endpoints, terms } = useConsole();
  const session = useLoad(async () => {
    const [current, active, payout] = await Promise.all([
      api.query.masternodes.currentSession(),
      api.query.masternodes.activeSet(),
      api.query.masternodes.lastPayout(),
    ]);
    return { current: current.toString(), active: (active.toJSON() as string[]) ?? [], payout: payout.toJSON() };
  }, []);
  const records = useLoad(() => get(endpoints.indexer, '/masternodes'), []);
  return (
    <section>
      <h2>Masternodes</h2>
      <Show loaded={session} what="the session">
        {(s) => (
          <p data-testid="session">
            Session {s.current}; {s.active.length} in the active set. Last payout: {s.payout ? JSON.stringify(s.payout) : 'none yet'}
          </p>
        )}
      </Show>
      <Show loaded={records} what="masternodes">
        {(list) => (
          <table data-testid="masternodes">
            <thead>
              <tr>
                <th>account</th>
                <th>stake</th>
                <th>status</th>
                <th>sessions</th>
                <th>offline in</th>
                <th>rewards</th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.account}>
                  <td>
                    <Address address={m.account} />
                  </td>
                  <td>{terms.format('snm', m.stake)}</td>
                  <td>{m.status}</td>
                  <td>{m.sessionsSelected}</td>
                  <td>{m.sessionsOffline}</td>
                  <td>{terms.format('snm', m.rewards)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}

export function PricesPage() {
  const { api, endpoints, terms } = useConsole();
  const now = useLoad(() => chainNow(api), []);
  const quotes = useLoad(() => get(endpoints.indexer, '/prices/oracle', { limit: 50 }), []);
  return (
    <section>
      <h2>SNM prices (the oracle)</h2>
      <Show loaded={quotes} what="prices">
        {(list) =>
          list.length === 0 ? (
            <p data-testid="no-prices">No price has been fed yet.</p>
          ) : (
            <table data-testid="prices">
              <thead>
                <tr>
                  <th>currency</th>
                  <th>SNM per unit</th>
                  <th>feeds</th>
                  <th>age</th>
                </tr>
              </thead>
              <tbody>
                {list.map((q) => (
                  <tr key={`${q.currency}-${q.block}`}>
                    <td>{q.currency}</td>
                    <td>{terms.format('exact', q.snmPerUnit)}</td>
                    <td>{q.feeds}</td>
                    <td>{now.data === undefined ? '…' : terms.format('relative', [q.time, now.data])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

export function TrustPage() {
  const { api, account, endpoints, terms } = useConsole();
  const me = account?.address;
  const providers = useLoad(async () => (await api.query.kyc.providers.entries()).map(([key, value]) => ({ id: key.args[0].toString(), ...(value.toJSON() as object) })), []);
  const mine = useLoad(async () => {
    if (!me) return undefined;
    const [certification, subscriptions, entries] = await Promise.all([
      api.query.kyc.certifications(me),
      api.query.blacklist.subscriptions(me),
      api.query.blacklist.entries.entries(me),
    ]);
    return {
      certification: certification.toJSON(),
      subscriptions: (subscriptions.toJSON() as string[] | null) ?? [],
      blocked: entries.map(([key]) => key.args[1].toString()),
    };
  }, [me]);
  const events = useLoad(() => (me ? get(endpoints.indexer, '/accounts/{address}/events', { address: me, limit: 50 }) : Promise.resolve([])), [me]);
  const [whom, setWhom] = useState('');
  const [tx, send] = useTx();
  return (
    <section>
      <h2>Identity and trust</h2>
      <h3>KYC providers</h3>
      <Show loaded={providers} what="KYC providers">
        {(list) => (
          <ul data-testid="kyc-providers">
            {list.length === 0 ? <li>none registered</li> : list.map((p) => <li key={p.id}>#{p.id}: {JSON.stringify(p)}</li>)}
          </ul>
        )}
      </Show>
      <Show loaded={mine} what="my identity and lists">
        {(data) =>
          data && (
            <>
              <p data-testid="my-level">My certification: {data.certification ? JSON.stringify(data.certification) : 'none (anonymous)'}</p>
              <h3>My blacklist</h3>
              <ul data-testid="my-blacklist">
                {data.blocked.length === 0 ? <li>empty</li> : data.blocked.map((a) => <li key={a}><Address address={a} /></li>)}
              </ul>
              <h3>Lists I follow</h3>
              <ul>{data.subscriptions.length === 0 ? <li>none</li> : data.subscriptions.map((a) => <li key={a}><Address address={a} /></li>)}</ul>
            </>
          )
        }
      </Show>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (await send(api.tx.blacklist.block(whom))) mine.reload();
        }}
      >
        <label>
          blacklist an account <input value={whom} onInput={(e) => setWhom((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={tx.busy}>
          Block
        </button>
      </form>
      <TxStatus state={tx} />
      <h3>My trust events</h3>
      <Show loaded={events} what="events">
        {(list) => (
          <ul>
            {list.map((e, i) => (
              <li key={i}>
                {terms.format('utc', e.time)} {e.pallet}.{e.name} {e.other && <Address address={e.other} />}
              </li>
            ))}
          </ul>
        )}
      </Show>
    </section>
  );
}

export function GatewayPage() {
  const { endpoints, terms } = useConsole();
  const transfers = useLoad(() => get(endpoints.indexer, '/gateway/transfers', { limit: 100 }), []);
  return (
    <section>
      <h2>Gateway to Ethereum</h2>
      <Show loaded={transfers} what="transfers">
        {(list) =>
          list.length === 0 ? (
            <p data-testid="no-transfers">No deposits or withdrawals yet.</p>
          ) : (
            <table data-testid="transfers">
              <thead>
                <tr>
                  <th>kind</th>
                  <th>account</th>
                  <th>amount</th>
                  <th>fee</th>
                  <th>Ethereum</th>
                  <th>time</th>
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr key={`${t.kind}-${t.block}-${t.ethereum}`}>
                    <td>{t.kind}</td>
                    <td>
                      <Address address={t.account} />
                    </td>
                    <td>{terms.format('snm', t.amount)}</td>
                    <td>{terms.format('snm', t.fee)}</td>
                    <td class="hash">{t.ethereum}</td>
                    <td>{terms.format('utc', t.time)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}
