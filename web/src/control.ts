// A deal's task through the worker's control plane, from the browser: the customer's wallet
// signs one session grant (the deal, a key made here, an expiry), and that session key signs
// every request after it, with the messages made by the terms module exactly as the worker
// checks them. Streams (an exec's output, followed logs) are read as server-sent events over
// fetch, since EventSource cannot send the signature's headers.
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex, stringToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import type { Account } from './chain';
import type { SessionGrant, Terms } from './terms';

/** How long a session key is granted for: an hour (the worker takes at most a day). */
export const SESSION_SECS = 3600;

/** A refusal by the worker, by the protocol's name (`SessionExpired`, `BadSignature`...). */
export class WorkerError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(`${errorName}: ${message}`);
  }
}

/** A session key and the customer's grant of one deal to it. */
export interface Session {
  pair: KeyringPair;
  grant: SessionGrant;
}

/** The customer's signature over `message` as a wallet's `signRaw` makes it (`<Bytes>…</Bytes>`). */
async function signAsWallet(account: Account, message: string): Promise<string> {
  if (account.pair) return u8aToHex(account.pair.sign(u8aWrapBytes(stringToU8a(message))));
  const { web3FromSource } = await import('@polkadot/extension-dapp');
  const injected = await web3FromSource(account.source);
  if (!injected.signer.signRaw) throw new Error(`the wallet ${account.source} cannot sign messages`);
  const { signature } = await injected.signer.signRaw({ address: account.address, data: stringToHex(message), type: 'bytes' });
  return signature;
}

/** Makes a session key and has `customer` grant it `deal` until `now + secs`. */
export async function openSession(terms: Terms, customer: Account, deal: number, now: number, secs = SESSION_SECS): Promise<Session> {
  await cryptoWaitReady();
  const pair = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
  const expiresAt = now + secs;
  const signature = await signAsWallet(customer, terms.sessionMessage(deal, pair.address, expiresAt));
  return { pair, grant: { deal, session: pair.address, expiresAt, account: customer.address, signature } };
}

/** A client of one worker's control plane for one deal, signing with a session key. */
export class TaskControl {
  constructor(
    private readonly terms: Terms,
    readonly workerUrl: string,
    readonly deal: number,
    private readonly session: Session,
  ) {}

  /** The signed headers of `method path` with `body`. */
  private headers(method: string, path: string, body: string): Record<string, string> {
    const timestamp = Math.floor(Date.now() / 1000);
    const nonce = u8aToHex(crypto.getRandomValues(new Uint8Array(16))).slice(2);
    const { message, bodySha256 } = this.terms.requestMessage({ method, path, deal: this.deal, body, timestamp, nonce });
    return {
      'x-sonm-account': this.session.pair.address,
      'x-sonm-timestamp': String(timestamp),
      'x-sonm-nonce': nonce,
      'x-sonm-body-sha256': bodySha256,
      'x-sonm-signature': u8aToHex(this.session.pair.sign(stringToU8a(message))),
      'x-sonm-session': JSON.stringify(this.session.grant),
    };
  }

  /** Sends a signed request; the response, or the worker's refusal as a {@link WorkerError}. */
  private async send(method: string, route: string, body = '', accept = 'application/json', signal?: AbortSignal): Promise<Response> {
    const path = `/deals/${this.deal}${route}`;
    const headers: Record<string, string> = { ...this.headers(method, path, body), accept };
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.workerUrl.replace(/\/$/, '')}${path}`, { method, headers, body: body || undefined, signal });
    if (!response.ok) {
      const text = await response.text();
      let refusal: { error?: string; message?: string } = {};
      try {
        refusal = JSON.parse(text);
      } catch {
        // Named by its status below.
      }
      throw new WorkerError(response.status, refusal.error ?? `Http${response.status}`, refusal.message ?? text);
    }
    return response;
  }

  private async json<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await this.send(method, route, body === undefined ? '' : JSON.stringify(body));
    return (await response.json()) as T;
  }

  /** Starts the deal's task. */
  start(spec: { image: string; command?: string[]; env?: string[]; ports?: number[] }): Promise<TaskAnswer> {
    return this.json('POST', '/task', spec);
  }

  /** The task's state. */
  status(): Promise<TaskAnswer> {
    return this.json('GET', '/task');
  }

  /** Stops and removes it. */
  stop(): Promise<{ deal: number; stopped: boolean }> {
    return this.json('POST', '/stop', {});
  }

  /** Output from cursor `from` on. */
  logs(from = 0): Promise<LogsAnswer> {
    return this.json('GET', `/logs?from=${from}`);
  }

  /**
   * Follows the output from cursor `from`: each new piece to `onPage` as the worker sends it
   * (server-sent events), until the task ends, the page stops it (`signal`) or the stream breaks.
   */
  async followLogs(from: number, onPage: (page: LogsAnswer) => void, signal?: AbortSignal): Promise<void> {
    const response = await this.send('GET', `/logs?from=${from}&follow=true`, '', 'text/event-stream', signal);
    await readEvents(response, (data) => onPage(JSON.parse(data) as LogsAnswer));
  }

  /** Runs `command` in the task; each output event as it comes, to `onEvent`. */
  async exec(command: string[], onEvent: (event: ExecEvent) => void): Promise<void> {
    const response = await this.send('POST', '/exec', JSON.stringify({ command }), 'text/event-stream');
    await readEvents(response, (data) => onEvent(JSON.parse(data)));
  }
}

/** The task as the worker reports it (`task_protocol::TaskAnswer`); `task` is null before a start. */
export interface TaskAnswer {
  deal: number;
  task: { container: string; status: string; exit_code: number | null; ports: [number, number][]; restarts: number } | null;
}

/** One event of an exec: output as it comes, then how it ended. */
export type ExecEvent = { output: string } | { ended: { exitCode: number | null; outputBytes: number; timedOut: boolean; error?: string } };

/** A page of output. */
export interface LogsAnswer {
  from: number;
  next: number;
  more: boolean;
  running: boolean;
  text: string;
}

/** Reads server-sent events from a fetch response: each `data:` line's text to `onData`. */
export async function readEvents(response: Response, onData: (data: string) => void): Promise<void> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += value;
    let end: number;
    while ((end = pending.indexOf('\n\n')) >= 0) {
      const frame = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) onData(data);
    }
  }
}
