// Small pieces every page uses: data loaded with its progress and its error named, a
// transaction with its progress (signing, sent, in block, finalized) and its refusal named.
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { ISubmittableResult } from '@polkadot/types/types';
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ChainError, submit, type Progress } from './chain';
import { useConsole } from './context';
import { IndexerError } from './indexer';
import { TermsError } from './terms';

/** An error as people read it: a chain error by pallet, name and doc; others by name. */
export function describeError(error: unknown): string {
  if (error instanceof ChainError) return error.message;
  if (error instanceof IndexerError) return `indexer: ${error.message}`;
  if (error instanceof TermsError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The result of an async load. */
export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on `reload`); its signal aborts when the page no longer
 * wants the result (a load that waits in a loop stops on it). */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const abandoned = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(abandoned.signal).then(
      (data) => !abandoned.signal.aborted && setState({ data, loading: false }),
      (error) => !abandoned.signal.aborted && setState({ error: describeError(error), loading: false }),
    );
    return () => abandoned.abort();
  }, [...deps, round]);
  return { ...state, reload: useCallback(() => setRound((n) => n + 1), []) };
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** A load's state: its progress, its error, or `children(data)`. */
export function Show<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (loaded.error) return <p class="error" role="alert">{what}: {loaded.error}</p>;
  if (loaded.data === undefined) return <p class="progress">Loading {what}…</p>;
  return <>{children(loaded.data)}</>;
}

const STAGES: Record<Progress['stage'], string> = {
  signing: 'waiting for the signature',
  sent: 'sent, waiting for a block',
  inBlock: 'in a block, waiting for finality',
  finalized: 'finalized',
};

/** A transaction's state for the page. */
export interface TxState {
  progress?: Progress;
  error?: string;
  busy: boolean;
}

/** Submits transactions as the chosen account, with their progress for the page. */
export function useTx(): [TxState, (call: SubmittableExtrinsic<'promise'>) => Promise<ISubmittableResult | undefined>] {
  const { api, account } = useConsole();
  const [state, setState] = useState<TxState>({ busy: false });
  const send = useCallback(
    async (call: SubmittableExtrinsic<'promise'>) => {
      if (!account) {
        setState({ busy: false, error: 'no account to sign with: connect a wallet extension' });
        return undefined;
      }
      setState({ busy: true });
      try {
        const result = await submit(api, account, call, (progress) => setState({ busy: true, progress }));
        setState({ busy: false, progress: { stage: 'finalized', block: '' } });
        return result;
      } catch (error) {
        setState({ busy: false, error: describeError(error) });
        return undefined;
      }
    },
    [api, account],
  );
  return [state, send];
}

/** A transaction's progress or refusal. */
export function TxStatus({ state }: { state: TxState }) {
  if (state.error) return <p class="error" role="alert" data-testid="tx-error">{state.error}</p>;
  if (!state.progress) return null;
  return (
    <p class={state.busy ? 'progress' : 'done'} data-testid="tx-progress" data-stage={state.progress.stage}>
      {STAGES[state.progress.stage]}
    </p>
  );
}

/** An account shortened for tables (`5Grw…utQY`), linking to its supplier page. */
export function Address({ address }: { address: string }) {
  return (
    <a href={`#/suppliers/${address}`} title={address} class="address">
      {address.slice(0, 4)}…{address.slice(-4)}
    </a>
  );
}

/** The first field of event `pallet.name` in a transaction's events, as a number. */
export function eventNumber(result: ISubmittableResult | undefined, pallet: string, name: string): number | undefined {
  const record = result?.events.find(({ event }) => event.section === pallet && event.method === name);
  return record ? Number(record.event.data[0].toString()) : undefined;
}
