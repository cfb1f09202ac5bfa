// The chain: one @polkadot/api connection to a sonm-node over WebSocket, the accounts that can
// sign (browser wallet extensions, and the dev accounts on a development chain), and
// transactions submitted with their progress (in block, finalized) and their errors named as
// the runtime names them.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { AddressOrPair, SubmittableExtrinsic } from '@polkadot/api/types';
import type { DispatchError } from '@polkadot/types/interfaces';
import type { ISubmittableResult } from '@polkadot/types/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToString } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** The dev accounts a development chain funds (`sonm-node --dev`). */
export const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;

/** An account that can sign: a dev key held by the page, or a wallet extension's. */
export interface Account {
  address: string;
  name: string;
  /** Where it comes from: `dev` or the extension's name. */
  source: string;
  /** The dev key (only for dev accounts). */
  pair?: KeyringPair;
}

/** A transaction's progress, as the page shows it. */
export type Progress =
  | { stage: 'signing' }
  | { stage: 'sent' }
  | { stage: 'inBlock'; block: string }
  | { stage: 'finalized'; block: string };

/** A refusal by the chain: the runtime's error name and its doc line. */
export class ChainError extends Error {
  constructor(
    readonly pallet: string,
    readonly errorName: string,
    readonly doc: string,
  ) {
    super(`${pallet}.${errorName}${doc ? `: ${doc}` : ''}`);
  }
}

let connection: { url: string; api: Promise<ApiPromise>; provider: WsProvider } | undefined;

/** The API of the node at `url`, connected once and shared. */
export function connect(url: string): Promise<ApiPromise> {
  if (connection?.url === url) return connection.api;
  connection?.api.then((api) => api.disconnect()).catch(() => {});
  const provider = new WsProvider(url, 2_000);
  const api = ApiPromise.create({ provider, noInitWarn: true });
  connection = { url, api, provider };
  return api;
}

/** The chain's current time in unix seconds (the timestamp pallet's, in ms). */
export async function chainNow(api: ApiPromise): Promise<number> {
  return Math.floor(Number((await api.query.timestamp.now()).toString()) / 1000);
}

/** Text from a chain value that the API hands out as hex-encoded bytes. */
export function bytesText(value: unknown): string {
  return typeof value === 'string' && value.startsWith('0x') ? hexToString(value) : String(value ?? '');
}

/** A market RPC method of the node (`market_dealsOf`…) on the current connection. */
export function marketRpc<T>(method: string, params: unknown[]): Promise<T> {
  return rpcCall<T>(`market_${method}`, params);
}

/** Calls one of the node's own RPC methods (`market_dealsOf`...) on the current connection. */
export async function rpcCall<T>(method: string, params: unknown[]): Promise<T> {
  if (!connection) throw new Error('not connected to a node');
  await connection.api;
  return (await connection.provider.send(method, params)) as T;
}

/** Whether the chain is a development chain (its dev accounts are then offered). */
export async function isDevelopment(api: ApiPromise): Promise<boolean> {
  const kind = await api.rpc.system.chainType();
  return kind.isDevelopment || kind.isLocal;
}

/** The dev accounts, as `//Alice` and so on derive them. */
export async function devAccounts(): Promise<Account[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  return DEV_NAMES.map((name) => {
    const pair = keyring.addFromUri(`//${name}`, { name });
    return { address: pair.address, name, source: 'dev', pair };
  });
}

/** The accounts the browser's wallet extensions (polkadot.js, Talisman, SubWallet) share. */
export async function walletAccounts(appName: string): Promise<Account[]> {
  const { web3Accounts, web3Enable } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable(appName);
  if (extensions.length === 0) return [];
  const accounts = await web3Accounts({ accountType: ['sr25519'] });
  return accounts.map((account) => ({
    address: account.address,
    name: account.meta.name ?? account.address.slice(0, 8),
    source: account.meta.source,
  }));
}

/** The chain's name and doc line for a dispatch error. */
export function explain(api: ApiPromise, error: DispatchError): ChainError {
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    return new ChainError(meta.section, meta.name, meta.docs.join(' ').trim());
  }
  if (error.isToken) return new ChainError('Token', error.asToken.type, '');
  if (error.isArithmetic) return new ChainError('Arithmetic', error.asArithmetic.type, '');
  return new ChainError('Dispatch', error.type, '');
}

/**
 * Signs `call` as `account` and follows it until it is finalized, telling `onProgress` each
 * stage; the events it caused. A refused call throws a {@link ChainError}.
 */
export async function submit(
  api: ApiPromise,
  account: Account,
  call: SubmittableExtrinsic<'promise'>,
  onProgress: (progress: Progress) => void,
): Promise<ISubmittableResult> {
  onProgress({ stage: 'signing' });
  let signer: AddressOrPair;
  if (account.pair) {
    signer = account.pair;
  } else {
    const { web3FromSource } = await import('@polkadot/extension-dapp');
    const injected = await web3FromSource(account.source);
    signer = account.address;
    api.setSigner(injected.signer);
  }
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    const done = (finish: () => void) => {
      unsubscribe?.();
      finish();
    };
    call
      .signAndSend(signer, (result: ISubmittableResult) => {
        if (result.status.isReady || result.status.isBroadcast) onProgress({ stage: 'sent' });
        if (result.dispatchError) {
          done(() => reject(explain(api, result.dispatchError!)));
          return;
        }
        if (result.status.isInBlock) {
          onProgress({ stage: 'inBlock', block: result.status.asInBlock.toHex() });
        }
        if (result.status.isFinalized) {
          onProgress({ stage: 'finalized', block: result.status.asFinalized.toHex() });
          done(() => resolve(result));
        }
        if (result.isError) {
          done(() => reject(new ChainError('Pool', result.status.type, 'the transaction was dropped')));
        }
      })
      .then((stop) => {
        unsubscribe = stop;
      })
      .catch((error: Error) => reject(error));
  });
}
