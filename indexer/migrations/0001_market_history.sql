-- The market's history, one schema for SQLite and PostgreSQL: integers are BIGINT, amounts
-- are TEXT of exactly 39 decimal digits (zero-padded, so that their order as text is their
-- order as numbers and every u128 fits exactly), accounts are SS58 text, times unix seconds.

-- Where the indexer is: the last block written, in the same transaction as its rows.
CREATE TABLE cursor (
	id BIGINT PRIMARY KEY,
	block_number BIGINT NOT NULL,
	block_hash TEXT NOT NULL,
	genesis_hash TEXT NOT NULL
);

CREATE TABLE blocks (
	number BIGINT PRIMARY KEY,
	hash TEXT NOT NULL,
	time BIGINT NOT NULL,
	events BIGINT NOT NULL
);

CREATE TABLE orders (
	id BIGINT PRIMARY KEY,
	author TEXT NOT NULL,
	side TEXT NOT NULL,
	unit TEXT NOT NULL,
	per_second TEXT NOT NULL,
	duration BIGINT NOT NULL,
	counterparty TEXT,
	min_identity TEXT NOT NULL,
	curator TEXT,
	tag TEXT NOT NULL,
	netflags BIGINT NOT NULL,
	expires_at BIGINT,
	placed_at BIGINT NOT NULL,
	placed_block BIGINT NOT NULL,
	deposit TEXT NOT NULL,
	escrow TEXT NOT NULL,
	b0 BIGINT NOT NULL, b1 BIGINT NOT NULL, b2 BIGINT NOT NULL, b3 BIGINT NOT NULL,
	b4 BIGINT NOT NULL, b5 BIGINT NOT NULL, b6 BIGINT NOT NULL, b7 BIGINT NOT NULL,
	b8 BIGINT NOT NULL, b9 BIGINT NOT NULL, b10 BIGINT NOT NULL, b11 BIGINT NOT NULL,
	-- Benchmarks past the standard twelve, comma-separated.
	extra_benchmarks TEXT NOT NULL,
	-- Prices per resource-hour (NULL where the order has none of it).
	per_core_hour TEXT,
	per_gib_hour TEXT,
	per_gpu_hour TEXT,
	status TEXT NOT NULL,
	ended_block BIGINT,
	ended_at BIGINT,
	deal_id BIGINT,
	-- 0 for an order that left the book within the block that placed it and was never seen in
	-- state: a quick-buy's bid gets its terms from its ask and deal; another keeps only its
	-- author and side.
	terms_known BIGINT NOT NULL
);
-- The book by price, covering the filters a search and a match read most (cores, memory, GPUs,
-- network flags, duration, expiry), so that a scan in price order skips what does not pass
-- without reading the rows: a filtered, sorted page of a million orders reads its 100 rows.
CREATE INDEX orders_book ON orders (status, side, unit, per_second, id, b2, b3, b7, b8, netflags, duration, expires_at);
CREATE INDEX orders_author ON orders (author, side, status, id);
CREATE INDEX orders_time ON orders (placed_at, id);
CREATE INDEX orders_duration ON orders (duration, id);
-- The price index: asks by time with their prices per resource-hour.
CREATE INDEX orders_prices ON orders (side, unit, placed_at, per_core_hour, per_gib_hour, per_gpu_hour, b7, b8);

CREATE TABLE deals (
	id BIGINT PRIMARY KEY,
	ask BIGINT NOT NULL,
	bid BIGINT NOT NULL,
	supplier TEXT NOT NULL,
	consumer TEXT NOT NULL,
	payee TEXT NOT NULL,
	unit TEXT NOT NULL,
	per_second TEXT NOT NULL,
	duration BIGINT NOT NULL,
	start BIGINT NOT NULL,
	opened_block BIGINT NOT NULL,
	b0 BIGINT NOT NULL, b1 BIGINT NOT NULL, b2 BIGINT NOT NULL, b3 BIGINT NOT NULL,
	b4 BIGINT NOT NULL, b5 BIGINT NOT NULL, b6 BIGINT NOT NULL, b7 BIGINT NOT NULL,
	b8 BIGINT NOT NULL, b9 BIGINT NOT NULL, b10 BIGINT NOT NULL, b11 BIGINT NOT NULL,
	per_core_hour TEXT,
	status TEXT NOT NULL,
	close_reason TEXT,
	closed_at BIGINT,
	closed_block BIGINT,
	refund TEXT,
	blacklisted BIGINT NOT NULL,
	paid TEXT NOT NULL,
	fees TEXT NOT NULL,
	bills BIGINT NOT NULL,
	-- Where the last bill left the deal paid up to.
	billed_until BIGINT NOT NULL
);
CREATE INDEX deals_supplier ON deals (supplier, id);
CREATE INDEX deals_consumer ON deals (consumer, id);
CREATE INDEX deals_payee ON deals (payee, id);
CREATE INDEX deals_status ON deals (status, id);

CREATE TABLE bills (
	deal_id BIGINT NOT NULL,
	seq BIGINT NOT NULL,
	block BIGINT NOT NULL,
	time BIGINT NOT NULL,
	payee TEXT NOT NULL,
	consumer TEXT NOT NULL,
	amount TEXT NOT NULL,
	fee TEXT NOT NULL,
	period_from BIGINT NOT NULL,
	period_to BIGINT NOT NULL,
	running_total TEXT NOT NULL,
	PRIMARY KEY (deal_id, seq)
);
CREATE INDEX bills_payee ON bills (payee, time);
CREATE INDEX bills_consumer ON bills (consumer, time);

CREATE TABLE deal_terms (
	deal_id BIGINT NOT NULL,
	seq BIGINT NOT NULL,
	since BIGINT NOT NULL,
	block BIGINT NOT NULL,
	unit TEXT NOT NULL,
	per_second TEXT NOT NULL,
	duration BIGINT NOT NULL,
	PRIMARY KEY (deal_id, seq)
);

CREATE TABLE change_requests (
	deal_id BIGINT NOT NULL,
	seq BIGINT NOT NULL,
	side TEXT NOT NULL,
	per_second TEXT NOT NULL,
	duration BIGINT NOT NULL,
	requested_block BIGINT NOT NULL,
	outcome TEXT NOT NULL,
	ended_block BIGINT,
	PRIMARY KEY (deal_id, seq)
);

-- Trust, identity, worker links and endpoints: one row per event, by account.
CREATE TABLE account_events (
	block BIGINT NOT NULL,
	idx BIGINT NOT NULL,
	time BIGINT NOT NULL,
	pallet TEXT NOT NULL,
	name TEXT NOT NULL,
	account TEXT NOT NULL,
	other TEXT,
	detail TEXT NOT NULL,
	PRIMARY KEY (block, idx)
);
CREATE INDEX account_events_account ON account_events (account, block);
CREATE INDEX account_events_other ON account_events (other, block);

CREATE TABLE masternodes (
	account TEXT PRIMARY KEY,
	stake TEXT NOT NULL,
	status TEXT NOT NULL,
	registered_block BIGINT NOT NULL,
	sessions_selected BIGINT NOT NULL,
	sessions_offline BIGINT NOT NULL,
	rewards TEXT NOT NULL
);

CREATE TABLE rewards (
	block BIGINT NOT NULL,
	idx BIGINT NOT NULL,
	account TEXT NOT NULL,
	session BIGINT NOT NULL,
	amount TEXT NOT NULL,
	PRIMARY KEY (block, idx)
);

CREATE TABLE oracle_prices (
	block BIGINT NOT NULL,
	idx BIGINT NOT NULL,
	time BIGINT NOT NULL,
	currency TEXT NOT NULL,
	snm_per_unit TEXT NOT NULL,
	feeds BIGINT NOT NULL,
	PRIMARY KEY (block, idx)
);
CREATE INDEX oracle_prices_time ON oracle_prices (currency, time);

CREATE TABLE gateway_transfers (
	block BIGINT NOT NULL,
	idx BIGINT NOT NULL,
	time BIGINT NOT NULL,
	kind TEXT NOT NULL,
	account TEXT NOT NULL,
	amount TEXT NOT NULL,
	fee TEXT NOT NULL,
	ethereum TEXT NOT NULL,
	withdrawal BIGINT,
	PRIMARY KEY (block, idx)
);
CREATE INDEX gateway_transfers_account ON gateway_transfers (account, block);
