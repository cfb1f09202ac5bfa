// The market's terms as the CLI and the worker apply them: the Rust crate `sonm-terms` built to
// WebAssembly (scripts/build-web-wasm.sh writes src/wasm/sonm_terms.wasm). The order form is
// read and checked by it, amounts and sizes are written by it, and the control plane's signed
// messages are made (and, in the tests, verified) by it: no rule is written twice.

/** A refusal of the terms module: its name (`BadOrder`, `BadSignature`...), the form field. */
export class TermsError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

// The JSON shapes of the module's calls, generated from the Rust types (src/generated/).
import type { BenchmarkKind, FormatKind, OrderForm, OrderSpec, SignedRequest } from './generated/shapes';
export type { BenchmarkKind, FormatKind, OrderForm, OrderSpec, Price, SessionGrant, SignedRequest } from './generated/shapes';

interface Exports {
  memory: WebAssembly.Memory;
  terms_alloc(len: number): number;
  terms_free(ptr: number, len: number): void;
  terms_call(ptr: number, len: number): number;
}

/** The terms module, instantiated. */
export class Terms {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  private constructor(private readonly exports: Exports) {}

  /** Instantiates the module from its bytes. */
  static async load(bytes: BufferSource): Promise<Terms> {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new Terms(instance.exports as unknown as Exports);
  }

  /** One call: `{op, ...}` in, the answer's `ok` out, or a {@link TermsError}. */
  call<T>(request: Record<string, unknown>): T {
    const input = this.encoder.encode(JSON.stringify(request));
    const { memory, terms_alloc, terms_free, terms_call } = this.exports;
    const ptr = terms_alloc(input.length);
    new Uint8Array(memory.buffer, ptr, input.length).set(input);
    const answerPtr = terms_call(ptr, input.length);
    terms_free(ptr, input.length);
    const length = new DataView(memory.buffer).getUint32(answerPtr, true);
    const text = this.decoder.decode(new Uint8Array(memory.buffer, answerPtr + 4, length));
    terms_free(answerPtr, length + 4);
    const answer = JSON.parse(text) as { ok?: T; error?: { name: string; message: string; field?: string } };
    if (answer.error) throw new TermsError(answer.error.name, answer.error.message, answer.error.field);
    return answer.ok as T;
  }

  /** The resources an order names, in the chain's order, with how each is written. */
  benchmarks(): { name: string; kind: BenchmarkKind }[] {
    return this.call({ op: 'benchmarks' });
  }

  /** Reads and checks an order form as the CLI reads an order file. */
  parseOrder(form: OrderForm): OrderSpec {
    return this.call({ op: 'parseOrder', form });
  }

  /**
   * One form value to the chain's integer: `price` (a {@link Price}), `duration` or
   * `expires-in` (seconds), or a resource by name (a decimal string).
   */
  parseValue<T = string>(field: string, text: string): T {
    return this.call({ op: 'parseValue', field, text });
  }

  /** Values for people, as the CLI writes them. */
  formatMany(kind: FormatKind, values: unknown[]): string[] {
    return this.call({ op: 'format', kind, values });
  }

  /** One value for people. */
  format(kind: FormatKind, value: unknown): string {
    return this.formatMany(kind, [value])[0];
  }

  /** The text a control-plane request's signature covers, and its body's hash. */
  requestMessage(request: {
    method: string;
    path: string;
    deal: number;
    body: string;
    timestamp: number;
    nonce: string;
  }): { message: string; bodySha256: string } {
    return this.call({ op: 'requestMessage', ...request });
  }

  /** The text a customer signs to grant `deal` to the session key `session` until `expiresAt`. */
  sessionMessage(deal: number, session: string, expiresAt: number): string {
    return this.call<{ message: string }>({ op: 'sessionMessage', deal, session, expiresAt }).message;
  }

  /** The worker's own check of a signed request at `now`: the account it acts as. */
  verifyRequest(request: SignedRequest, body: string, now: number): string {
    return this.call<{ account: string }>({ op: 'verifyRequest', request, body, now }).account;
  }
}
