//! Glue traits: what one pallet needs from another, declared here and named in the needing
//! pallet's `Config`. Each has an honest implementation for `()` that the runtime uses until the
//! providing pallet exists: everybody anonymous, nobody blocked, no price known.

use crate::{Currency, IdentityLevel};

/// The identity level of an account (provided by the KYC pallet).
pub trait IdentityLevelOf<AccountId> {
	/// The highest level a valid certification gives `who`.
	fn identity_level(who: &AccountId) -> IdentityLevel;
}

impl<AccountId> IdentityLevelOf<AccountId> for () {
	fn identity_level(_: &AccountId) -> IdentityLevel {
		IdentityLevel::Anonymous
	}
}

/// Blacklists (provided by the blacklist pallet).
pub trait IsBlocked<AccountId> {
	/// Whether `who`'s own list, or a list `who` subscribes to, holds `whom`.
	fn is_blocked(who: &AccountId, whom: &AccountId) -> bool;
	/// Records that `who` blacklists `whom` (the closer of a deal may do this).
	fn block(who: &AccountId, whom: &AccountId) -> sp_runtime::DispatchResult;
	/// How many lists besides its own `is_blocked(who, _)` reads: what a caller's weight
	/// depends on.
	fn subscriptions_of(_who: &AccountId) -> u32 {
		0
	}
	/// The most lists besides its own that `is_blocked` may read for any account.
	fn max_subscriptions() -> u32 {
		0
	}
}

impl<AccountId> IsBlocked<AccountId> for () {
	fn is_blocked(_: &AccountId, _: &AccountId) -> bool {
		false
	}

	fn block(_: &AccountId, _: &AccountId) -> sp_runtime::DispatchResult {
		Err(sp_runtime::DispatchError::Other("blacklists are not available on this chain"))
	}
}

/// A price in force, as the oracle publishes it.
#[derive(
	Clone,
	Copy,
	Debug,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::Encode,
	Eq,
	codec::MaxEncodedLen,
	PartialEq,
	scale_info::TypeInfo,
)]
pub struct PriceInfo<Balance> {
	/// SNM base units per one unit of the currency (one USD, not 10^18 of them).
	pub snm_per_unit: Balance,
	/// When the price was last updated, in seconds since the unix epoch.
	pub updated_at: u64,
}

/// Prices of currencies in SNM (provided by the oracle pallet).
pub trait PriceOf<Balance> {
	/// The fresh price of `currency`, or `None` when there is none or it is stale.
	fn price(currency: Currency) -> Option<PriceInfo<Balance>>;
	/// The last price of `currency` that was in force, even when it has gone stale: what a deal
	/// closed during an oracle outage is settled at. `None` when there never was one.
	fn last_price(currency: Currency) -> Option<PriceInfo<Balance>> {
		Self::price(currency)
	}
}

impl<Balance> PriceOf<Balance> for () {
	fn price(_: Currency) -> Option<PriceInfo<Balance>> {
		None
	}
}

/// When masternodes last fed prices (provided by the oracle): a masternode that fed nothing in
/// a session while others did is left out of the next set.
pub trait FeedActivity<AccountId> {
	/// When `who` last fed any price, in seconds since the unix epoch.
	fn last_feed_of(who: &AccountId) -> Option<u64>;
	/// When anyone last fed any price.
	fn last_feed() -> Option<u64>;
}

impl<AccountId> FeedActivity<AccountId> for () {
	fn last_feed_of(_: &AccountId) -> Option<u64> {
		None
	}
	fn last_feed() -> Option<u64> {
		None
	}
}

/// The masternodes (provided by the masternodes pallet): the gatekeeper's attesters and
/// signers are the current session's active set.
pub trait Masternodes<AccountId> {
	/// The current session's active set.
	fn active_set() -> alloc::vec::Vec<AccountId>;
	/// The current session's index: when it changes, the set may have.
	fn session() -> u32;
	/// Whether `who` is a registered masternode, active or not.
	fn is_registered(who: &AccountId) -> bool;
}
