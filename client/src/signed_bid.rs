//! Signed bids: a customer signs a bid off chain and hands it to a worker, who opens the deal
//! with its own ask and that bid in one extrinsic (`Market::open_deal_with_signed_bid`). The
//! bytes signed are `sonm_primitives::market::signed_bid_payload`'s, the ones the pallet checks.

use crate::{
	runtime::{
		self,
		runtime_types::{pallet_market::types::OrderTerms, sp_runtime::MultiSignature},
	},
	Client, ClientError, Included, Key, Stage, Wait,
};

/// A signed bid as the chain takes it.
pub type SignedBid = runtime::runtime_types::pallet_market::types::SignedBid;

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
		let account = customer.account_id();
		let payload = sonm_primitives::market::signed_bid_payload(
			&self.genesis_hash(),
			&account,
			&terms,
			nonce,
			expires_at,
		);
		let signature = MultiSignature::Sr25519(customer.sign_bytes(&payload));
		SignedBid { customer: account, terms, nonce, expires_at, signature }
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
}
