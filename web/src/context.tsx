// What every page stands on: the node and indexer addresses (kept in the browser, defaults the
// local dev chain's), the chain connection, the terms module and the account that signs.
import type { ApiPromise } from '@polkadot/api';
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { connect, devAccounts, isDevelopment, walletAccounts, type Account } from './chain';
import { DEFAULT_INDEXER } from './indexer';
import { Terms } from './terms';
import termsWasmUrl from './wasm/sonm_terms.wasm?url';

/** The local dev node's WebSocket (`sonm-node --dev`, scripts/dev.sh). */
export const DEFAULT_NODE = 'ws://127.0.0.1:9944';

/** Where the console talks to. */
export interface Endpoints {
  node: string;
  indexer: string;
}

/** Addresses from the page's query (`?node=…&indexer=…`), else the last used, else the defaults. */
export function loadEndpoints(): Endpoints {
  const query = new URLSearchParams(window.location.search);
  const saved = JSON.parse(localStorage.getItem('sonm.endpoints') ?? '{}') as Partial<Endpoints>;
  return {
    node: query.get('node') ?? saved.node ?? DEFAULT_NODE,
    indexer: query.get('indexer') ?? saved.indexer ?? DEFAULT_INDEXER,
  };
}

export function saveEndpoints(endpoints: Endpoints): void {
  localStorage.setItem('sonm.endpoints', JSON.stringify(endpoints));
}

/** The console's shared state. */
export interface Console {
  endpoints: Endpoints;
  api: ApiPromise;
  terms: Terms;
  accounts: Account[];
  account: Account | undefined;
  chooseAccount(address: string): void;
  /** The chain's last finalized block: pages that show live state load again when it moves. */
  finalized: number;
}

const ConsoleContext = createContext<Console | undefined>(undefined);

/** The console's state, inside {@link ConsoleProvider}. */
export function useConsole(): Console {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside ConsoleProvider');
  return value;
}

let termsLoad: Promise<Terms> | undefined;

/** The terms module, fetched once. */
export function loadTerms(): Promise<Terms> {
  termsLoad ??= fetch(termsWasmUrl)
    .then((response) => response.arrayBuffer())
    .then((bytes) => Terms.load(bytes));
  return termsLoad;
}

/** Connects to the node, loads the terms module and the accounts, then shows `children`. */
export function ConsoleProvider({ endpoints, children }: { endpoints: Endpoints; children: preact.ComponentChildren }) {
  const [state, setState] = useState<Omit<Console, 'chooseAccount' | 'account' | 'finalized'> | undefined>();
  const [finalized, setFinalized] = useState(0);
  const [failure, setFailure] = useState<string | undefined>();
  const [chosen, setChosen] = useState<string | undefined>(localStorage.getItem('sonm.account') ?? undefined);

  useEffect(() => {
    let cancelled = false;
    setState(undefined);
    setFailure(undefined);
    (async () => {
      const [api, terms] = await Promise.all([connect(endpoints.node), loadTerms()]);
      const accounts: Account[] = [];
      if (await isDevelopment(api)) accounts.push(...(await devAccounts()));
      try {
        accounts.push(...(await walletAccounts('SONM console')));
      } catch {
        // No wallet extension in this browser: the dev accounts (on a dev chain) remain.
      }
      if (!cancelled) setState({ endpoints, api, terms, accounts });
    })().catch((error: Error) => !cancelled && setFailure(error.message));
    return () => {
      cancelled = true;
    };
  }, [endpoints.node, endpoints.indexer]);

  useEffect(() => {
    if (!state) return;
    let stop: (() => void) | undefined;
    state.api.rpc.chain
      .subscribeFinalizedHeads((head) => setFinalized(head.number.toNumber()))
      .then((unsubscribe) => (stop = unsubscribe));
    return () => stop?.();
  }, [state]);

  if (failure) return <p class="error" role="alert">Cannot reach the node at {endpoints.node}: {failure}</p>;
  if (!state) return <p class="progress">Connecting to {endpoints.node}…</p>;
  const account = state.accounts.find((a) => a.address === chosen) ?? state.accounts[0];
  const chooseAccount = (address: string) => {
    localStorage.setItem('sonm.account', address);
    setChosen(address);
  };
  return <ConsoleContext.Provider value={{ ...state, account, chooseAccount, finalized }}>{children}</ConsoleContext.Provider>;
}
