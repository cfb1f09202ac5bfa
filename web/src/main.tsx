// The console: a header with the node and indexer addresses and the signing account, a menu,
// and the page the location's hash names (`#/book`, `#/orders/7`, `#/deals/3/task`...).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConsoleProvider, loadEndpoints, saveEndpoints, useConsole, type Endpoints } from './context';
import { get } from './indexer';
import { BookPage } from './pages/book';
import { DealPage, TaskPage } from './pages/deal';
import { MinePage } from './pages/mine';
import { GatewayPage, MasternodesPage, PricesPage, SupplierPage, TrustPage, WorkersPage } from './pages/network';
import { OrderPage, PlaceOrderPage } from './pages/orders';

const MENU: [string, string][] = [
  ['#/book', 'Order book'],
  ['#/place', 'Place an order'],
  ['#/mine', 'My orders and deals'],
  ['#/workers', 'Workers'],
  ['#/masternodes', 'Masternodes'],
  ['#/prices', 'Prices'],
  ['#/trust', 'KYC and blacklists'],
  ['#/gateway', 'Gateway'],
];

/** The location's hash, kept current. */
function useRoute(): string {
  const [hash, setHash] = useState(window.location.hash || '#/book');
  useEffect(() => {
    const update = () => setHash(window.location.hash || '#/book');
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function Page({ route }: { route: string }) {
  const path = route.replace(/^#/, '').split('?')[0];
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'place':
      return <PlaceOrderPage />;
    case 'orders':
      return <OrderPage id={Number(parts[1])} />;
    case 'deals':
      return parts[2] === 'task' ? <TaskPage id={Number(parts[1])} /> : <DealPage id={Number(parts[1])} />;
    case 'mine':
      return <MinePage />;
    case 'suppliers':
      return <SupplierPage address={parts[1]} />;
    case 'workers':
      return <WorkersPage />;
    case 'masternodes':
      return <MasternodesPage />;
    case 'prices':
      return <PricesPage />;
    case 'trust':
      return <TrustPage />;
    case 'gateway':
      return <GatewayPage />;
    default:
      return <BookPage />;
  }
}

/** The signing account, and how far the chain and the indexer are. */
function AccountBar() {
  const { accounts, account, chooseAccount, api, endpoints, finalized } = useConsole();
  const [heads, setHeads] = useState<{ best?: number; indexed?: number | null }>({});
  useEffect(() => {
    let stop: (() => void) | undefined;
    api.rpc.chain.subscribeNewHeads((head) => setHeads((h) => ({ ...h, best: head.number.toNumber() }))).then((u) => (stop = u));
    return () => stop?.();
  }, [api]);
  useEffect(() => {
    get(endpoints.indexer, '/status').then(
      (status) => setHeads((h) => ({ ...h, indexed: status.block })),
      () => setHeads((h) => ({ ...h, indexed: undefined })),
    );
  }, [finalized]);
  return (
    <div class="account-bar">
      <label>
        account{' '}
        <select data-testid="account" value={account?.address} onChange={(e) => chooseAccount((e.target as HTMLSelectElement).value)}>
          {accounts.map((a) => (
            <option key={a.address} value={a.address}>
              {a.name} ({a.source}) {a.address.slice(0, 6)}…
            </option>
          ))}
        </select>
      </label>
      <span data-testid="heads">
        block #{heads.best ?? '…'}, finalized #{finalized || '…'}, indexed #{heads.indexed ?? '—'}
      </span>
    </div>
  );
}

function App() {
  const [endpoints, setEndpoints] = useState<Endpoints>(loadEndpoints());
  const [draft, setDraft] = useState<Endpoints>(endpoints);
  const route = useRoute();
  return (
    <>
      <header>
        <h1>SONM market</h1>
        <form
          class="endpoints"
          onSubmit={(e) => {
            e.preventDefault();
            saveEndpoints(draft);
            setEndpoints({ ...draft });
          }}
        >
          <label>
            node <input name="node" value={draft.node} onInput={(e) => setDraft({ ...draft, node: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            indexer <input name="indexer" value={draft.indexer} onInput={(e) => setDraft({ ...draft, indexer: (e.target as HTMLInputElement).value })} />
          </label>
          <button type="submit">Connect</button>
        </form>
        <nav>
          {MENU.map(([href, label]) => (
            <a key={href} href={href} class={route.startsWith(href) ? 'current' : ''}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main>
        <ConsoleProvider endpoints={endpoints}>
          <AccountBar />
          <Page route={route} />
        </ConsoleProvider>
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
