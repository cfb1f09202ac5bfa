//! Signed bids: a customer signs a bid off chain and hands it to a worker, who opens the deal
//! with its own ask and that bid in one extrinsic (`Market::open_deal_with_signed_bid`, or
//! `Market::open_deals_with_signed_bids` for several at once). The
//! bytes signed are `sonm_primitives::market::signed_bid_payload`'s, the ones the pallet checks.

use crate::{
	runtime::{
		self,
		market::events::{DealOpened, SignedBidRefused},
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_market::types::OrderTerms,
			sp_runtime::{DispatchError, MultiSignature},
		},
	},
	AccountId32, Client, ClientError, Included, Key, Stage, Wait,
};

/// A signed bid as the chain takes it.
pub type SignedBid = runtime::runtime_types::pallet_market::types::SignedBid;

/// `customer` signs `terms` (a bid) as usable once, by its `nonce`, until `expires_at` (unix
/// seconds), for the chain with `genesis_hash` (offline: a load generator signs many).
pub fn sign_bid(
	genesis_hash: &[u8; 32],
	terms: OrderTerms,
	nonce: u64,
	expires_at: u64,
	customer: &Key,
) -> SignedBid {
	let account = customer.account_id();
	let payload = sonm_primitives::market::signed_bid_payload(
		genesis_hash,
		&account,
		&terms,
		nonce,
		expires_at,
	);
	let signature = MultiSignature::Sr25519(customer.sign_bytes(&payload));
	SignedBid { customer: account, terms, nonce, expires_at, signature }
}

impl Client {
	/// `customer` signs `terms` (a bid) as usable once, by its `nonce`, until `expires_at`
	/// (unix seconds), for this chain (its genesis hash is in what is signed).
	pub fn sign_bid(
		&self,
		terms: OrderTerms,
		nonce: u64,
		expires_at: u64,
		customer: &Key,
	) -> SignedBid {
		sign_bid(&self.genesis_hash(), terms, nonce, expires_at, customer)
	}

	/// `worker` opens the deal of its ask `ask` and `bid` (it pays the fee; the customer's
	/// escrow is held from the customer).
	pub async fn open_deal_with_signed_bid(
		&self,
		ask: u64,
		bid: SignedBid,
		worker: &Key,
		wait: Wait,
		progress: impl FnMut(Stage),
	) -> Result<Included, ClientError> {
		let call = runtime::tx().market().open_deal_with_signed_bid(ask, bid);
		self.submit(&call, worker, wait, progress).await
	}

	/// `worker` opens a deal for each pair of its ask and a signed bid, in one extrinsic
	/// (`Market::open_deals_with_signed_bids`): each pair opens or is refused on its own. The
	/// outcomes come in the order of `bids`.
	pub async fn open_deals_with_signed_bids(
		&self,
		bids: Vec<(u64, SignedBid)>,
		worker: &Key,
		wait: Wait,
		progress: impl FnMut(Stage),
	) -> Result<(Included, Vec<SignedBidOutcome>), ClientError> {
		let keys: Vec<(u64, AccountId32, u64)> =
			bids.iter().map(|(ask, bid)| (*ask, bid.customer, bid.nonce)).collect();
		let call = runtime::tx().market().open_deals_with_signed_bids(BoundedVec(bids));
		let included = self.submit(&call, worker, wait, progress).await?;
		let mut opened = included.find_all::<DealOpened>();
		let refused = included.find_all::<SignedBidRefused>();
		// Each refusal by its pair (ask, customer, nonce), named from the runtime's metadata.
		let mut refused: Vec<_> = match refused.is_empty() {
			true => Vec::new(),
			false => {
				let metadata = self.api().at_current_block().await?.metadata();
				refused
					.into_iter()
					.map(|r| ((r.ask, r.customer, r.nonce), error_name(&metadata, &r.error)))
					.collect()
			},
		};
		let outcomes = keys
			.into_iter()
			.map(|(ask, customer, nonce)| {
				if let Some(at) =
					refused.iter().position(|(pair, _)| *pair == (ask, customer, nonce))
				{
					let (error, doc) = refused.remove(at).1;
					return SignedBidOutcome::Refused { error, doc };
				}
				match opened.iter().position(|deal| deal.ask == ask) {
					Some(at) => {
						let deal = opened.remove(at);
						SignedBidOutcome::Opened { deal: deal.id, bid: deal.bid }
					},
					None => SignedBidOutcome::Refused {
						error: "NoEvent".into(),
						doc: format!(
							"block #{} names no outcome for ask {ask}",
							included.block_number
						),
					},
				}
			})
			.collect();
		Ok((included, outcomes))
	}
}

/// A dispatch error of an event: the pallet's error name and doc where it is one.
fn error_name(metadata: &subxt::Metadata, error: &DispatchError) -> (String, String) {
	if let DispatchError::Module(module) = error {
		let variant = metadata
			.pallet_by_error_index(module.index)
			.and_then(|pallet| pallet.error_variant_by_index(module.error[0]));
		if let Some(variant) = variant {
			return (variant.name.clone(), variant.docs.join(" ").trim().to_owned());
		}
	}
	(format!("{error:?}"), String::new())
}

/// What one pair of [`Client::open_deals_with_signed_bids`] came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignedBidOutcome {
	/// The deal opened; `bid` is the id its bid got.
	Opened { deal: u64, bid: u64 },
	/// The pallet refused the pair by `error` (its name), for `doc`; nothing of it changed.
	Refused { error: String, doc: String },
}

/// Why a signed bid is refused before anything is paid for it: by the names the pallet gives
/// the same faults, so that a refusal reads the same from a worker and from the chain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignedBidFault {
	/// The bytes are no SCALE-encoded signed bid.
	#[error("not a signed bid: {0}")]
	Malformed(String),
	/// The signature is not the customer's over this chain's payload.
	#[error("the signature is not {0}'s over this bid on this chain")]
	BadBidSignature(String),
	/// Past its expiry.
	#[error("the signed bid expired at {expires_at} (chain time {now})")]
	SignedBidExpired { expires_at: u64, now: u64 },
	/// Its nonce was used or revoked.
	#[error("{customer}'s signed bid with nonce {nonce} was used or revoked")]
	SignedBidUsed { customer: String, nonce: u64 },
	/// An ask offered as a bid.
	#[error("the signed order is an ask; only bids are signed for a worker")]
	NotABid,
}

impl SignedBidFault {
	/// Its name (the pallet's error name where the pallet has one).
	pub fn name(&self) -> &'static str {
		match self {
			Self::Malformed(_) => "BadBid",
			Self::BadBidSignature(_) => "BadBidSignature",
			Self::SignedBidExpired { .. } => "SignedBidExpired",
			Self::SignedBidUsed { .. } => "SignedBidUsed",
			Self::NotABid => "NotABid",
		}
	}
}

/// `bid` as hex of its SCALE encoding (`0x…`), the form it travels in.
pub fn encode_bid(bid: &SignedBid) -> String {
	format!("0x{}", hex::encode(codec::Encode::encode(bid)))
}

/// The signed bid of `text` (hex of its SCALE encoding, with or without `0x`), all of it.
pub fn decode_bid(text: &str) -> Result<SignedBid, SignedBidFault> {
	let bytes = hex::decode(text.trim().trim_start_matches("0x"))
		.map_err(|e| SignedBidFault::Malformed(format!("not hex: {e}")))?;
	let mut input = &bytes[..];
	let bid = <SignedBid as codec::Decode>::decode(&mut input)
		.map_err(|e| SignedBidFault::Malformed(e.to_string()))?;
	if !input.is_empty() {
		return Err(SignedBidFault::Malformed(format!("{} bytes past its end", input.len())));
	}
	Ok(bid)
}

/// Checks what can be checked of `bid` without the chain's state: a bid, signed by its
/// customer over the payload of the chain with `genesis_hash`, as the pallet checks it (a raw
/// sr25519 signature; the pallet accepts no other kind from a worker's hands either).
pub fn check_signed_bid(genesis_hash: &[u8; 32], bid: &SignedBid) -> Result<(), SignedBidFault> {
	if bid.terms.side.0 != sonm_primitives::market::Side::Bid {
		return Err(SignedBidFault::NotABid);
	}
	let payload = sonm_primitives::market::signed_bid_payload(
		genesis_hash,
		&bid.customer,
		&bid.terms,
		bid.nonce,
		bid.expires_at,
	);
	match &bid.signature {
		MultiSignature::Sr25519(signature)
			if crate::task_auth::sr25519_signed(&bid.customer.0, &payload, signature) =>
		{
			Ok(())
		},
		_ => Err(SignedBidFault::BadBidSignature(bid.customer.to_string())),
	}
}

/// `bid` as an order the matching rules read (`sonm_client::matching`): the customer's bid as
/// the chain would place it, with no id yet (`u64::MAX`) and nothing held.
pub fn bid_as_order(bid: &SignedBid) -> crate::types::Order {
	let terms = &bid.terms;
	crate::types::Order {
		id: u64::MAX,
		author: bid.customer.to_string(),
		side: terms.side.0,
		price: terms.price.0,
		duration: terms.duration,
		counterparty: terms.counterparty.as_ref().map(ToString::to_string),
		min_identity: terms.min_identity.0,
		curator: terms.curator.as_ref().map(ToString::to_string),
		tag: String::from_utf8_lossy(&terms.tag.0).into_owned(),
		benchmarks: terms.benchmarks.0.clone(),
		netflags: terms.netflags,
		expires_at: terms.expires_at,
		placed_at: 0,
		deposit: 0,
		escrow: 0,
	}
}

impl Client {
	/// Whether `customer`'s signed bid with `nonce` was used or revoked (its record is kept
	/// until it expires), at the best block.
	pub async fn signed_bid_used(
		&self,
		customer: &crate::AccountId32,
		nonce: u64,
	) -> Result<bool, ClientError> {
		let at = self.at_best().await?;
		let entry = at.storage().entry(runtime::storage().market().signed_bid_nonces())?;
		Ok(entry.try_fetch((*customer, nonce)).await?.is_some())
	}
}
