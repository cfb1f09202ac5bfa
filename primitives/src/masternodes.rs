//! The masternodes' and the oracle's runtime APIs: who validates, with what stake, what they are
//! owed, and the prices they feed.

use crate::{traits::PriceInfo, Currency};
use alloc::vec::Vec;
use codec::Codec;

/// A session's index.
pub type SessionIndex = u32;

sp_api::decl_runtime_apis! {
	/// Read access to the masternodes: what the `masternodes_*` RPC methods serve. `Masternode`
	/// is the masternodes pallet's record.
	pub trait MasternodesApi<AccountId, Balance, Masternode>
	where
		AccountId: Codec,
		Balance: Codec,
		Masternode: Codec,
	{
		/// The current session's index and its length in blocks.
		fn session() -> (SessionIndex, u32);
		/// The current session's set, with the stakes it was selected with.
		fn active_set() -> Vec<(AccountId, Balance)>;
		/// Every registered masternode, and the session it was marked offline in if it is.
		fn masternodes() -> Vec<(AccountId, Masternode, Option<SessionIndex>)>;
		/// What `who` would be paid if the session ended now: its share of the reward pot.
		fn pending_reward(who: AccountId) -> Balance;
	}

	/// Read access to the price oracle: what the `oracle_*` RPC methods serve.
	pub trait OracleApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// The price in force of every currency that has one, its age in seconds at this
		/// block, and whether it is fresh (not stale).
		fn prices() -> Vec<(Currency, PriceInfo<Balance>, u64, bool)>;
		/// Every feeder's latest feed of `currency`: SNM per unit and when it was fed.
		fn feeds(currency: Currency) -> Vec<(AccountId, Balance, u64)>;
	}
}
