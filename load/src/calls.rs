//! The extrinsics of a plan, signed ahead of time: the fixed order terms, a step turned into
//! its call, and signing with an explicit nonce (immortal, so nothing expires while a long run
//! waits its turn).

use crate::{
	accounts::{Accounts, NonceBook},
	workload::{Planned, Side, Step},
	LoadError,
};
use sonm_client::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_market::types::OrderTerms,
		},
	},
	signed_bid::SignedBid,
	subxt::{
		self,
		client::{ClientAtBlock, OnlineClientAtBlockImpl},
		config::DefaultExtrinsicParamsBuilder,
		tx::Payload,
		utils::{MultiAddress, H256},
	},
	ChainConfig, Client, Key, Static,
};
use sonm_primitives::{
	market::{Price, PriceUnit},
	IdentityLevel,
};
use std::{sync::Arc, time::Instant};

/// Every order's price: one micro-SNM a second, so a bid holds 0.0036 SNM for its hour.
pub const PRICE_PER_SECOND: u128 = 1_000_000_000_000;
/// An ask offers a day; a bid wants an hour of it.
pub const ASK_DURATION: u64 = 86_400;
pub const BID_DURATION: u64 = 3_600;
/// What a transfer moves: one micro-SNM.
pub const TRANSFER: u128 = 1_000_000_000_000;

/// The ids the setup learnt: each pair's ask and bid, each deal slot's deal.
#[derive(Clone, Debug, Default)]
pub struct SetupIds {
	pub pairs: Vec<(u64, u64)>,
	pub deals: Vec<u64>,
	/// The chain's genesis hash, which a signed bid's payload names.
	pub genesis: [u8; 32],
}

/// How long a signed bid of the load may be used: past any run.
const SIGNED_BID_LIFE: u64 = 6 * 3_600;

/// A signed extrinsic, ready to submit.
#[derive(Clone, Debug)]
pub struct Signed {
	/// Its SCALE encoding.
	pub bytes: Vec<u8>,
	/// Its hash (blake2-256 of `bytes`), as blocks list it.
	pub hash: H256,
	/// The call's name (`place_order`).
	pub kind: &'static str,
	/// Who signed, and with which nonce.
	pub signer: usize,
	pub nonce: u64,
}

/// The view of the chain extrinsics are signed against (its metadata and genesis hash).
pub type At = ClientAtBlock<ChainConfig, OnlineClientAtBlockImpl<ChainConfig>>;

/// An order's terms on the chain.
pub fn terms(side: Side) -> OrderTerms {
	OrderTerms {
		side: Static(side),
		price: Static(Price { per_second: PRICE_PER_SECOND, unit: PriceUnit::Snm }),
		duration: match side {
			Side::Ask => ASK_DURATION,
			Side::Bid => BID_DURATION,
		},
		counterparty: None,
		min_identity: Static(IdentityLevel::Anonymous),
		curator: None,
		tag: BoundedVec(Vec::new()),
		benchmarks: BoundedVec(vec![0; 12]),
		netflags: 0,
		expires_at: None,
	}
}

/// A phase signed: `plan`'s steps signed against `at` in order, each with its signer's next
/// nonce from `nonces`, and what signs them again should the runtime change before they are
/// carried. Logs its progress; fails on a step naming a setup pair or deal the setup did not
/// produce.
pub fn sign_phase(
	client: &Client,
	at: &At,
	accounts: &Arc<Accounts>,
	nonces: &mut NonceBook,
	plan: &[Planned],
	ids: &SetupIds,
	label: &str,
) -> Result<(Vec<Signed>, SignAgain), LoadError> {
	let signed = sign_all(at, accounts, nonces, plan, ids, label)?;
	let again = SignAgain::new(client, accounts, plan, ids, at, &signed);
	Ok((signed, again))
}

/// Signs `plan`'s steps in order, each with its signer's next nonce from `nonces`; logs its
/// progress.
fn sign_all(
	at: &At,
	accounts: &Accounts,
	nonces: &mut NonceBook,
	plan: &[Planned],
	ids: &SetupIds,
	label: &str,
) -> Result<Vec<Signed>, LoadError> {
	let started = Instant::now();
	let mut signed = Vec::with_capacity(plan.len());
	let mut reported = Instant::now();
	for planned in plan {
		let nonce = nonces.peek(planned.signer);
		let tx = sign_step(at, accounts, planned, ids, nonce)?;
		nonces.take(planned.signer);
		signed.push(tx);
		if reported.elapsed().as_secs() >= 5 {
			eprintln!("{label}: signed {}/{}", signed.len(), plan.len());
			reported = Instant::now();
		}
	}
	eprintln!(
		"{label}: signed {} extrinsics in {:.1} s",
		signed.len(),
		started.elapsed().as_secs_f64()
	);
	Ok(signed)
}

/// Signs a phase's extrinsics again when the chain's runtime is no longer the one they were
/// signed for: the spec and transaction versions are part of what is signed, so an upgrade
/// makes every extrinsic signed before it a "bad signature". Each is signed again with the
/// call and nonce it had, as a wallet does.
pub struct SignAgain {
	client: Client,
	accounts: Arc<Accounts>,
	plan: Vec<Planned>,
	ids: SetupIds,
	/// Each extrinsic's nonce, as first signed.
	nonces: Vec<u64>,
	/// The spec version they were signed for.
	signed_for: u32,
	/// The view of the newer runtime, once one was needed (fetched once, not per extrinsic).
	newer: tokio::sync::Mutex<Option<At>>,
}

impl SignAgain {
	/// For `signed`, the extrinsics of `plan` signed against `at`.
	fn new(
		client: &Client,
		accounts: &Arc<Accounts>,
		plan: &[Planned],
		ids: &SetupIds,
		at: &At,
		signed: &[Signed],
	) -> Self {
		Self {
			client: client.clone(),
			accounts: accounts.clone(),
			plan: plan.to_vec(),
			ids: ids.clone(),
			nonces: signed.iter().map(|tx| tx.nonce).collect(),
			signed_for: at.spec_version(),
			newer: Default::default(),
		}
	}

	/// Extrinsic `k` signed again for the runtime of the best block, and that runtime's spec
	/// version; `None` when it is still the one `k` was signed for (its refusal stands).
	pub async fn sign(&self, k: usize) -> Option<(Signed, u32)> {
		let (planned, nonce) = (self.plan.get(k)?, *self.nonces.get(k)?);
		let mut newer = self.newer.lock().await;
		if newer.is_none() {
			let best = self.client.at_best().await.ok()?;
			if best.spec_version() == self.signed_for {
				return None;
			}
			*newer = Some(best);
		}
		let at = newer.as_ref()?;
		let tx = sign_step(at, &self.accounts, planned, &self.ids, nonce).ok()?;
		Some((tx, at.spec_version()))
	}
}

fn sign_step(
	at: &At,
	accounts: &Accounts,
	planned: &Planned,
	ids: &SetupIds,
	nonce: u64,
) -> Result<Signed, LoadError> {
	let tx = runtime::transactions();
	let missing = |what: &str, index: usize| {
		LoadError::Setup(format!("the setup produced no {what} {index} for the measured calls"))
	};
	let pair = |index: usize| ids.pairs.get(index).copied().ok_or_else(|| missing("pair", index));
	let deal = |index: usize| ids.deals.get(index).copied().ok_or_else(|| missing("deal", index));
	let key = &accounts.keys[planned.signer];
	let kind = planned.step.kind();
	let bytes = match planned.step {
		Step::Transfer { to } => sign(
			at,
			&tx.balances().transfer_keep_alive(MultiAddress::Id(accounts.id(to)), TRANSFER),
			key,
			nonce,
		)?,
		Step::Place(side) => sign(at, &tx.market().place_order(terms(side)), key, nonce)?,
		Step::PlaceBatch(orders) => {
			let batch = (0..orders)
				.map(|k| terms(if k % 2 == 0 { Side::Ask } else { Side::Bid }))
				.collect();
			sign(at, &tx.market().place_orders(BoundedVec(batch)), key, nonce)?
		},
		Step::PlaceSetup { asks, bids } => {
			let sides =
				std::iter::repeat_n(Side::Ask, asks).chain(std::iter::repeat_n(Side::Bid, bids));
			sign(at, &tx.market().place_orders(BoundedVec(sides.map(terms).collect())), key, nonce)?
		},
		Step::Open { pair: index } => {
			let (ask, bid) = pair(index)?;
			sign(at, &tx.market().open_deal(ask, bid), key, nonce)?
		},
		Step::SignedDeal { pair: index, customer } => {
			let (ask, _) = pair(index)?;
			let bid = signed_bid(ids, index, &accounts.keys[customer]);
			sign(at, &tx.market().open_deal_with_signed_bid(ask, bid), key, nonce)?
		},
		Step::SignedDeals { first_pair, customers } => {
			let mut bids = Vec::with_capacity(customers.len());
			for (index, customer) in (first_pair..).zip(customers) {
				let (ask, _) = pair(index)?;
				bids.push((ask, signed_bid(ids, index, &accounts.keys[customer])));
			}
			sign(at, &tx.market().open_deals_with_signed_bids(BoundedVec(bids)), key, nonce)?
		},
		Step::Bill { deal: index } => sign(at, &tx.market().bill(deal(index)?), key, nonce)?,
		Step::Close { deal: index } => {
			sign(at, &tx.market().close_deal(deal(index)?, false), key, nonce)?
		},
	};
	let hash = hash_of(&bytes);
	Ok(Signed { bytes, hash, kind, signer: planned.signer, nonce })
}

/// The bid of setup pair `index`, signed off chain by its customer `key`: the pair's index is
/// unique in the run, a nonce each customer uses once.
fn signed_bid(ids: &SetupIds, index: usize, key: &Key) -> SignedBid {
	sonm_client::signed_bid::sign_bid(
		&ids.genesis,
		terms(Side::Bid),
		index as u64,
		sonm_client::task_auth::unix_now() + SIGNED_BID_LIFE,
		key,
	)
}

fn sign<Call: Payload>(
	at: &At,
	call: &Call,
	key: &sonm_client::Key,
	nonce: u64,
) -> Result<Vec<u8>, LoadError> {
	let params = DefaultExtrinsicParamsBuilder::<ChainConfig>::new().nonce(nonce).build();
	let mut signable = at
		.transactions()
		.create_signable_offline(call, params)
		.map_err(|e| LoadError::Setup(format!("building {}: {e}", call.call_name())))?;
	let signed = signable
		.sign(key)
		.map_err(|e| LoadError::Setup(format!("signing {}: {e}", call.call_name())))?;
	Ok(signed.into_encoded())
}

/// An extrinsic's hash as the chain computes it (blake2-256 of its encoding).
pub fn hash_of(bytes: &[u8]) -> H256 {
	use subxt::config::Hasher;
	subxt::config::substrate::BlakeTwo256.hash(bytes)
}
