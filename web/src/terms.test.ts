import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex, u8aWrapBytes, stringToU8a } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Terms, TermsError, type SignedRequest } from './terms';

let terms: Terms;
let keyring: Keyring;

beforeAll(async () => {
  terms = await Terms.load(readFileSync(new URL('./wasm/sonm_terms.wasm', import.meta.url)));
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
});

function refusal(action: () => unknown): TermsError {
  try {
    action();
  } catch (error) {
    if (error instanceof TermsError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('the order form', () => {
  it('is read with the units and checks of the CLI', () => {
    const spec = terms.parseOrder({
      side: 'bid',
      price: '2.5 USD/h',
      duration: '1h30m',
      identity: 'registered',
      outbound: true,
      resources: [
        ['cpu-cores', '4'],
        ['ram-size', '2 GiB'],
        ['net-download', '100 Mbit/s'],
        ['gpu-mem', ''],
      ],
    });
    expect(spec.side).toBe('Bid');
    expect(spec.price).toEqual({ perSecond: '694444444444444', unit: 'USD' });
    expect(spec.duration).toBe(5400);
    expect(spec.minIdentity).toBe('Registered');
    expect(spec.netflags).toBe(2);
    expect(spec.benchmarks[2]).toBe('4');
    expect(spec.benchmarks[3]).toBe(String(2 * 1024 ** 3));
    expect(spec.benchmarks[5]).toBe('100000000');
    expect(spec.benchmarks[8]).toBe('0');
  });

  it('names the field of a wrong value', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ price: '1 SNM/h', duration: '1h' }, 'side', /side is required/],
      [{ side: 'rent', price: '1 SNM/h', duration: '1h' }, 'side', /"rent" is not a side/],
      [{ side: 'bid', price: '1 EUR/h', duration: '1h' }, 'price', /price/],
      [{ side: 'bid', price: '1 SNM/h', duration: '1 week' }, 'duration', /duration/],
      [{ side: 'bid', price: '1 SNM/h', duration: '1h', resources: [['ram-size', '2 GHz']] }, 'ram-size', /ram-size/],
      [{ side: 'bid', price: '1 SNM/h', duration: '1h', tag: 'x'.repeat(33) }, 'tag', /at most 32/],
    ];
    for (const [form, field, message] of cases) {
      const error = refusal(() => terms.parseOrder(form));
      expect(error.errorName).toBe('BadOrder');
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    }
  });

  it('lists the twelve resources with how each is written', () => {
    const benchmarks = terms.benchmarks();
    expect(benchmarks).toHaveLength(12);
    expect(benchmarks[3]).toEqual({ name: 'ram-size', kind: 'size' });
  });
});

describe('units for people', () => {
  it('writes amounts, prices, sizes and durations as the CLI does', () => {
    expect(terms.formatMany('snm', ['1500000000000000000', '1199999999999999999'])).toEqual([
      '1.5 SNM',
      '~1.2 SNM',
    ]);
    expect(terms.format('price', terms.parseOrder({ side: 'ask', price: '1 SNM/h', duration: '0' }).price)).toMatch(
      /SNM\/h/,
    );
    expect(terms.format('size', 2 * 1024 ** 3)).toBe('2 GiB');
    expect(terms.format('duration', 5400)).toBe('1h30m');
    expect(terms.formatMany('span', [0, 45])).toEqual(['0s', '45s']);
    expect(refusal(() => terms.format('size', 'lots')).errorName).toBe('BadValue');
  });
});

describe('control-plane signatures', () => {
  const now = 1_800_000_000;

  /** A request signed by `pair`, raw, as the page signs with its session key. */
  function signRequest(pair: ReturnType<Keyring['addFromUri']>, path: string, body: string): SignedRequest {
    const request = { method: 'POST', path, deal: 7, body, timestamp: now, nonce: `n-${Math.random()}` };
    const { message, bodySha256 } = terms.requestMessage(request);
    return {
      method: request.method,
      path,
      deal: 7,
      body_sha256: bodySha256,
      timestamp: now,
      nonce: request.nonce,
      account: pair.address,
      signature: u8aToHex(pair.sign(stringToU8a(message))),
    };
  }

  /** What a wallet extension's `signRaw` signs for a message: `<Bytes>message</Bytes>`. */
  function signAsWallet(pair: ReturnType<Keyring['addFromUri']>, message: string): string {
    return u8aToHex(pair.sign(u8aWrapBytes(stringToU8a(message))));
  }

  it('a session key granted by a wallet signature acts as the customer, by the worker verifier', () => {
    const alice = keyring.addFromUri('//Alice');
    const session = keyring.addFromUri(mnemonicGenerate());
    const expiresAt = now + 3600;
    const grant = {
      deal: 7,
      session: session.address,
      expiresAt,
      account: alice.address,
      signature: signAsWallet(alice, terms.sessionMessage(7, session.address, expiresAt)),
    };
    const request = { ...signRequest(session, '/deals/7/task', '{"image":"busybox"}'), session: grant };
    expect(terms.verifyRequest(request, '{"image":"busybox"}', now)).toBe(alice.address);

    // A grant past its expiry, another body, another signer: each refused by name.
    const late = { ...signRequest(session, '/deals/7/task', ''), timestamp: now };
    const expired = { ...late, session: { ...grant, expiresAt: now - 1, signature: signAsWallet(alice, terms.sessionMessage(7, session.address, now - 1)) } };
    expect(refusal(() => terms.verifyRequest(expired, '', now)).errorName).toBe('SessionExpired');
    expect(refusal(() => terms.verifyRequest(request, '{"image":"other"}', now)).errorName).toBe('BodyMismatch');
    const bob = keyring.addFromUri('//Bob');
    const stolen = { ...signRequest(bob, '/deals/7/task', ''), session: grant };
    expect(refusal(() => terms.verifyRequest(stolen, '', now)).errorName).toBe('SessionRefused');
  });

  it('a request signed by the wallet itself verifies, wrapped or not', () => {
    const alice = keyring.addFromUri('//Alice');
    const raw = signRequest(alice, '/deals/7/stop', '');
    expect(terms.verifyRequest(raw, '', now)).toBe(alice.address);
    const { message } = terms.requestMessage({ method: 'POST', path: '/deals/7/stop', deal: 7, body: '', timestamp: now, nonce: raw.nonce });
    const wrapped = { ...raw, signature: signAsWallet(alice, message) };
    expect(terms.verifyRequest(wrapped, '', now)).toBe(alice.address);
    const wrongWrap = { ...raw, signature: u8aToHex(alice.sign(stringToU8a(`<Bytes>${message}`))) };
    expect(refusal(() => terms.verifyRequest(wrongWrap, '', now)).errorName).toBe('BadSignature');
  });
});
