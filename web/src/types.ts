// The JSON the console reads from the node's market RPC and the indexer's API, as
// `sonm_rpc::market` and `sonm_client::indexer_api` serve it (amounts are decimal strings of base
// units). Only the fields the pages read.
import type { Price } from './terms';

/** An order (`sonm_rpc::market::Order`, flattened into the indexer's `IndexedOrder`). */
export interface IndexedOrder {
  id: number;
  author: string;
  side: 'Bid' | 'Ask';
  price: Price;
  duration: number;
  counterparty: string | null;
  minIdentity: string;
  curator: string | null;
  tag: string;
  benchmarks: number[];
  netflags: number;
  expiresAt: number | null;
  placedAt: number;
  deposit: string;
  escrow: string;
  placedBlock?: number;
  status?: string;
  deal?: number | null;
}

/** A page of a listing. */
export interface Page<T> {
  items: T[];
  next?: string;
  total?: number;
}

/** What every deal's JSON has, from the node or the indexer. */
interface DealParties {
  id: number;
  ask: number;
  bid: number;
  supplier: string;
  consumer: string;
  payee: string;
  price: Price;
  duration: number;
  start: number;
}

/** An open deal as the node serves it (`market_deal`, `market_dealsOf`). */
export interface ChainDeal extends DealParties {
  end: number | null;
  billedUntil: number;
  escrow: string;
  paid: string;
  deposit: string;
}

/** What closing an open deal now would bill and refund (`market_closeQuote`). */
export interface CloseQuote {
  due: string;
  refund: string;
}

/** A pending change request (`market_changeRequests`). */
export interface ChangeRequest {
  side: 'Bid' | 'Ask';
  perSecond: string;
  duration: number;
  createdAt: number;
}

/** A deal, open or closed, as the indexer knows it. */
export interface IndexedDeal extends DealParties {
  status: 'Open' | 'Closed';
  closeReason: string | null;
  closedAt: number | null;
  refund: string | null;
  blacklisted: boolean;
  paid: string;
  fees: string;
  bills: number;
}

/** One period of an account's history. */
export interface HistoryPeriod {
  start: number;
  ordersPlaced: number;
  dealsOpened: number;
  dealsClosed: number;
  paidOut: string;
  received: string;
  refunded: string;
  deposited: string;
  withdrawn: string;
}

export interface History {
  account: string;
  period: string;
  periods: HistoryPeriod[];
}

export interface SupplierRecord {
  supplier: string;
  deals: number;
  open: number;
  completed: number;
  closedByCustomer: number;
  closedBySupplier: number;
  closedUnpaid: number;
  blacklistedAfter: number;
  earned: string;
  medianPerCoreHour: string | null;
  activeAsks: number;
}

export interface PricePoint {
  start: number;
  asks: number;
  q1: string;
  median: string;
  q3: string;
}

export interface PriceIndex {
  resource: string;
  unit: 'SNM' | 'USD';
  period: string;
  series: Record<string, PricePoint[]>;
}

export interface OracleQuote {
  block: number;
  time: number;
  currency: string;
  snmPerUnit: string;
  feeds: number;
}

export interface MasternodeRecord {
  account: string;
  stake: string;
  status: string;
  registeredBlock: number;
  sessionsSelected: number;
  sessionsOffline: number;
  rewards: string;
}

export interface GatewayTransfer {
  kind: 'deposit' | 'withdrawal';
  block: number;
  time: number;
  account: string;
  amount: string;
  fee: string;
  ethereum: string;
  withdrawal: number | null;
}

export interface AccountEvent {
  block: number;
  time: number;
  pallet: string;
  name: string;
  account: string;
  other: string | null;
  detail: unknown;
}

export interface IndexerStatus {
  block: number | null;
  finalized: number | null;
  connected: boolean;
}
