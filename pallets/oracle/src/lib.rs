#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
/// The median rules, shared with the feeder (`sonm-bridge feed`).
pub use sonm_primitives::median;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::BenchmarkHelper;
pub use pallet::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		dispatch::{Pays, PostDispatchInfo},
		pallet_prelude::*,
		traits::{Contains, UnixTime},
	};
	use frame_system::pallet_prelude::*;
	use sonm_primitives::{traits::PriceInfo, Currency};
	use sp_runtime::{traits::AtLeast32BitUnsigned, Perbill};

	/// Seconds since the unix epoch.
	pub type Seconds = u64;

	/// One feeder's latest price of a currency.
	#[derive(
		Clone,
		Copy,
		Decode,
		DecodeWithMemTracking,
		Encode,
		Eq,
		MaxEncodedLen,
		PartialEq,
		Debug,
		TypeInfo,
	)]
	pub struct Feed<Balance> {
		/// SNM base units per one unit of the currency.
		pub snm_per_unit: Balance,
		/// When it was fed.
		pub at: Seconds,
	}

	/// The latest feed of every feeder of a currency.
	pub type FeedsOf<T> = BoundedVec<
		(<T as frame_system::Config>::AccountId, Feed<<T as Config>::Balance>),
		<T as Config>::MaxFeeders,
	>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The SNM amount type of prices.
		type Balance: Parameter + MaxEncodedLen + AtLeast32BitUnsigned + Copy + Default;

		/// The chain's clock.
		type Time: UnixTime;

		/// Who may feed: the active masternodes.
		type Feeders: Contains<Self::AccountId>;

		/// The most feeders one currency keeps feeds of (at least the most masternodes).
		#[pallet::constant]
		type MaxFeeders: Get<u32>;

		/// The fewest fresh, agreeing feeds that make a price.
		#[pallet::constant]
		type MinFeeds: Get<u32>;

		/// A feed older than this many seconds no longer counts.
		#[pallet::constant]
		type FeedLifetime: Get<Seconds>;

		/// A price in force older than this many seconds is stale: not used.
		#[pallet::constant]
		type PriceLifetime: Get<Seconds>;

		/// Feeds farther than this from the median of fresh feeds are ignored.
		#[pallet::constant]
		type MaxDeviation: Get<Perbill>;

		/// A feeder feeds a currency at most once in this many seconds.
		#[pallet::constant]
		type MinFeedInterval: Get<Seconds>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes feeders for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Every feeder's latest feed, by currency.
	#[pallet::storage]
	pub type Feeds<T: Config> = StorageMap<_, Twox64Concat, Currency, FeedsOf<T>, ValueQuery>;

	/// The price in force of each currency and when it was made; stale after `PriceLifetime`.
	#[pallet::storage]
	pub type Prices<T: Config> = StorageMap<_, Twox64Concat, Currency, PriceInfo<T::Balance>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` fed a price of `currency`.
		Fed { who: T::AccountId, currency: Currency, snm_per_unit: T::Balance },
		/// The price in force of `currency` changed: the median of `feeds` fresh, agreeing
		/// feeds (`ignored` fresh ones were too far from the median).
		PriceUpdated { currency: Currency, snm_per_unit: T::Balance, feeds: u32, ignored: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only active masternodes feed prices.
		NotFeeder,
		/// A price of zero SNM is no price.
		ZeroPrice,
		/// This feeder fed this currency less than `MinFeedInterval` ago.
		TooSoon,
		/// The currency already has feeds from `MaxFeeders` feeders, all fresh.
		TooManyFeeders,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Feeds the caller's price of `currency`: SNM base units per one unit of it. The price
		/// in force is then made again from the fresh feeds.
		///
		/// Origin: signed, an active masternode (`Feeders`); free of fees when it succeeds.
		/// Emits `Fed`, and `PriceUpdated` when enough fresh feeds agree. Errors: `NotFeeder`,
		/// `ZeroPrice`, `TooSoon`, `TooManyFeeders`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::feed(T::MaxFeeders::get()))]
		pub fn feed(
			origin: OriginFor<T>,
			currency: Currency,
			snm_per_unit: T::Balance,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(T::Feeders::contains(&who), Error::<T>::NotFeeder);
			ensure!(!snm_per_unit.is_zero(), Error::<T>::ZeroPrice);
			let now = Self::now();
			let feeds = Feeds::<T>::try_mutate(currency, |feeds| {
				let fresh = Feed { snm_per_unit, at: now };
				match feeds.iter_mut().find(|(feeder, _)| *feeder == who) {
					Some((_, feed)) => {
						ensure!(
							now >= feed.at.saturating_add(T::MinFeedInterval::get()),
							Error::<T>::TooSoon
						);
						*feed = fresh;
					},
					None => {
						// Room is made by dropping feeds that no longer count: old ones, and
						// those of masternodes that left the set.
						let oldest = now.saturating_sub(T::FeedLifetime::get());
						feeds.retain(|(feeder, feed)| {
							feed.at > oldest && T::Feeders::contains(feeder)
						});
						feeds
							.try_push((who.clone(), fresh))
							.map_err(|_| Error::<T>::TooManyFeeders)?;
					},
				}
				Ok::<_, DispatchError>(feeds.len() as u32)
			})?;
			Self::deposit_event(Event::Fed { who, currency, snm_per_unit });
			Self::update_price(currency, now);
			Ok(PostDispatchInfo {
				actual_weight: Some(T::WeightInfo::feed(feeds)),
				pays_fee: Pays::No,
			})
		}
	}

	impl<T: Config> Pallet<T> {
		/// Now, in whole seconds since the unix epoch.
		fn now() -> Seconds {
			T::Time::now().as_secs()
		}

		/// Makes the price in force of `currency` from its fresh feeds of current feeders (a
		/// masternode that left the set no longer counts), if at least `MinFeeds` of them agree;
		/// otherwise the previous price stays and ages.
		fn update_price(currency: Currency, now: Seconds) {
			let oldest = now.saturating_sub(T::FeedLifetime::get());
			let fresh: Vec<T::Balance> = Feeds::<T>::get(currency)
				.iter()
				.filter(|(feeder, feed)| feed.at > oldest && T::Feeders::contains(feeder))
				.map(|(_, feed)| feed.snm_per_unit)
				.collect();
			let fresh_feeds = fresh.len() as u32;
			let Some(agreed) = median::agreed_median(fresh, T::MaxDeviation::get()) else {
				return;
			};
			if agreed.feeds < T::MinFeeds::get() {
				return;
			}
			Prices::<T>::insert(
				currency,
				PriceInfo { snm_per_unit: agreed.median, updated_at: now },
			);
			Self::deposit_event(Event::PriceUpdated {
				currency,
				snm_per_unit: agreed.median,
				feeds: agreed.feeds,
				ignored: fresh_feeds - agreed.feeds,
			});
		}

		/// The price in force of `currency` if it is not stale.
		pub fn fresh_price(currency: Currency) -> Option<PriceInfo<T::Balance>> {
			let price = Prices::<T>::get(currency)?;
			(Self::now() <= price.updated_at.saturating_add(T::PriceLifetime::get()))
				.then_some(price)
		}

		/// When `who` last fed any currency, if it has a feed on record.
		pub fn last_feed_of(who: &T::AccountId) -> Option<Seconds> {
			Feeds::<T>::iter_values()
				.flat_map(|feeds| feeds.into_iter())
				.filter(|(feeder, _)| feeder == who)
				.map(|(_, feed)| feed.at)
				.max()
		}

		/// The invariants: a feeder feeds a currency once at most, no feed is from the future,
		/// and no price is zero.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let now = Self::now();
			for (_, feeds) in Feeds::<T>::iter() {
				for (i, (feeder, feed)) in feeds.iter().enumerate() {
					ensure!(
						feeds.iter().skip(i + 1).all(|(other, _)| other != feeder),
						"a feeder has two feeds of one currency"
					);
					ensure!(feed.at <= now, "a feed is from the future");
					ensure!(!feed.snm_per_unit.is_zero(), "a feed is zero");
				}
			}
			for (_, price) in Prices::<T>::iter() {
				ensure!(!price.snm_per_unit.is_zero(), "a price in force is zero");
				ensure!(price.updated_at <= now, "a price is from the future");
			}
			Ok(())
		}
	}

	impl<T: Config> sonm_primitives::traits::FeedActivity<T::AccountId> for Pallet<T> {
		fn last_feed_of(who: &T::AccountId) -> Option<Seconds> {
			Pallet::<T>::last_feed_of(who)
		}

		fn last_feed() -> Option<Seconds> {
			Feeds::<T>::iter_values()
				.flat_map(|feeds| feeds.into_iter().map(|(_, feed)| feed.at))
				.max()
		}
	}

	impl<T: Config> sonm_primitives::traits::PriceOf<T::Balance> for Pallet<T> {
		fn price(currency: Currency) -> Option<PriceInfo<T::Balance>> {
			Pallet::<T>::fresh_price(currency)
		}

		fn last_price(currency: Currency) -> Option<PriceInfo<T::Balance>> {
			Prices::<T>::get(currency)
		}
	}
}
