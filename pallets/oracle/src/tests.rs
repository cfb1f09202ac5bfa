//! Every call and error of the oracle, the price in force, staleness and the market's glue.

use crate::{mock::*, pallet::*, Error, Event};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{GetDispatchInfo, Pays},
	traits::UnfilteredDispatchable,
};
use sonm_primitives::{
	traits::{PriceInfo, PriceOf},
	Currency::Usd,
};

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Feeders 1, 2, ... feed `prices` in turn.
fn feed_all(prices: &[Balance]) {
	for (i, price) in prices.iter().enumerate() {
		assert_ok!(Oracle::feed(origin(i as AccountId + 1), Usd, *price));
	}
}

#[test]
fn a_price_is_in_force_once_min_feeds_fresh_feeds_agree() {
	new_test_ext(|| {
		feed_all(&[40, 42]);
		assert_eq!(Prices::<Test>::get(Usd), None, "two feeds are fewer than MinFeeds");
		assert_eq!(<Oracle as PriceOf<Balance>>::price(Usd), None);
		assert_ok!(Oracle::feed(origin(3), Usd, 41));
		let price = PriceInfo { snm_per_unit: 41, updated_at: now() };
		assert_eq!(Prices::<Test>::get(Usd), Some(price));
		assert_eq!(<Oracle as PriceOf<Balance>>::price(Usd), Some(price));
		System::assert_has_event(Event::Fed { who: 3, currency: Usd, snm_per_unit: 41 }.into());
		System::assert_last_event(
			Event::PriceUpdated { currency: Usd, snm_per_unit: 41, feeds: 3, ignored: 0 }.into(),
		);
	});
}

#[test]
fn feeds_far_from_the_median_are_ignored() {
	new_test_ext(|| {
		// 1,000 is a manipulation, 1 a broken source: the three near 100 make the price.
		feed_all(&[100, 1_000, 102, 1, 98]);
		assert_eq!(Prices::<Test>::get(Usd).unwrap().snm_per_unit, 100);
		System::assert_last_event(
			Event::PriceUpdated { currency: Usd, snm_per_unit: 100, feeds: 3, ignored: 2 }.into(),
		);
	});
}

#[test]
fn too_few_agreeing_feeds_leave_the_previous_price_to_age() {
	new_test_ext(|| {
		feed_all(&[100, 100, 100]);
		let before = Prices::<Test>::get(Usd).unwrap();
		advance(MIN_FEED_INTERVAL);
		// Feeder 1 now says 200: of 200, 100, 100 the median is 100 and 200 is ignored, two
		// agree: fewer than MinFeeds, so nothing changes.
		assert_ok!(Oracle::feed(origin(1), Usd, 200));
		assert_eq!(Prices::<Test>::get(Usd), Some(before));
	});
}

#[test]
fn stale_feeds_do_not_count_and_a_stale_price_is_not_used() {
	new_test_ext(|| {
		feed_all(&[50, 50, 50]);
		let made_at = now();
		advance(FEED_LIFETIME);
		// The three feeds are now stale: a fresh one alone makes no price.
		assert_ok!(Oracle::feed(origin(4), Usd, 60));
		assert_eq!(Prices::<Test>::get(Usd).unwrap().updated_at, made_at);
		// The price is still used until PRICE_LIFETIME has passed, then not.
		advance(PRICE_LIFETIME - FEED_LIFETIME);
		assert!(Oracle::fresh_price(Usd).is_some());
		advance(1);
		assert_eq!(Oracle::fresh_price(Usd), None);
		assert_eq!(<Oracle as PriceOf<Balance>>::price(Usd), None);
		// Fresh feeds bring a fresh price back.
		feed_all(&[61, 60, 59]);
		assert_eq!(Oracle::fresh_price(Usd).unwrap().snm_per_unit, 60);
	});
}

#[test]
fn only_feeders_feed_and_zero_is_refused() {
	new_test_ext(|| {
		assert_noop!(Oracle::feed(origin(9), Usd, 40), Error::<Test>::NotFeeder);
		assert_noop!(Oracle::feed(origin(1), Usd, 0), Error::<Test>::ZeroPrice);
		assert_noop!(
			Oracle::feed(RuntimeOrigin::root(), Usd, 40),
			sp_runtime::DispatchError::BadOrigin
		);
		// A masternode that left the set no longer feeds.
		set_feeders(vec![2, 3]);
		assert_noop!(Oracle::feed(origin(1), Usd, 40), Error::<Test>::NotFeeder);
	});
}

#[test]
fn a_feeder_feeds_a_currency_once_per_interval_and_replaces_its_feed() {
	new_test_ext(|| {
		assert_ok!(Oracle::feed(origin(1), Usd, 40));
		advance(MIN_FEED_INTERVAL - 1);
		assert_noop!(Oracle::feed(origin(1), Usd, 41), Error::<Test>::TooSoon);
		advance(1);
		assert_ok!(Oracle::feed(origin(1), Usd, 41));
		let feeds = Feeds::<Test>::get(Usd);
		assert_eq!(feeds.len(), 1);
		assert_eq!(feeds[0], (1, Feed { snm_per_unit: 41, at: now() }));
		assert_eq!(Oracle::last_feed_of(&1), Some(now()));
		assert_eq!(Oracle::last_feed_of(&2), None);
		// What the masternodes' liveness check reads.
		use sonm_primitives::traits::FeedActivity;
		advance(5);
		assert_ok!(Oracle::feed(origin(2), Usd, 41));
		assert_eq!(<Oracle as FeedActivity<AccountId>>::last_feed(), Some(now()));
		assert_eq!(<Oracle as FeedActivity<AccountId>>::last_feed_of(&1), Some(now() - 5));
	});
}

#[test]
fn stale_feeds_make_room_for_new_feeders() {
	new_test_ext(|| {
		set_feeders((1..=8).collect());
		feed_all(&[10; MAX_FEEDERS as usize]);
		assert_noop!(Oracle::feed(origin(7), Usd, 10), Error::<Test>::TooManyFeeders);
		// Once feeder 1's feed is stale, feeder 7 takes its place.
		advance(FEED_LIFETIME - 10);
		for feeder in 2..=MAX_FEEDERS as AccountId {
			assert_ok!(Oracle::feed(origin(feeder), Usd, 10));
		}
		advance(10);
		assert_ok!(Oracle::feed(origin(7), Usd, 10));
		let feeders: Vec<AccountId> = Feeds::<Test>::get(Usd).iter().map(|(who, _)| *who).collect();
		assert_eq!(feeders, vec![2, 3, 4, 5, 6, 7]);
	});
}

#[test]
fn a_successful_feed_is_free_and_weighed_by_the_feeds_it_read() {
	use crate::WeightInfo;
	new_test_ext(|| {
		feed_all(&[40, 41]);
		let call = crate::Call::<Test>::feed { currency: Usd, snm_per_unit: 42 };
		assert_eq!(call.get_dispatch_info().call_weight, <() as WeightInfo>::feed(MAX_FEEDERS));
		let post = call.dispatch_bypass_filter(origin(3)).expect("a feeder feeds");
		assert_eq!(post.pays_fee, Pays::No);
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::feed(3)));
		// A refused feed pays.
		let refused = crate::Call::<Test>::feed { currency: Usd, snm_per_unit: 42 }
			.dispatch_bypass_filter(origin(9))
			.unwrap_err();
		assert_eq!(refused.post_info.pays_fee, Pays::Yes);
	});
}

#[test]
fn feeds_of_masternodes_that_left_the_set_do_not_count() {
	new_test_ext(|| {
		// Feeders 1 to 3 make a price of 100; then 1 and 2 leave the set.
		feed_all(&[100, 100, 100]);
		set_feeders(vec![3, 4, 5]);
		advance(MIN_FEED_INTERVAL);
		// 4 and 5 say 200: with 1's and 2's feeds still counted, the median of 100, 100, 100,
		// 200, 200 would stay 100. Only 3, 4 and 5 count: 100, 200, 200 has the median 200,
		// with which two agree, fewer than MinFeeds: the old price stays.
		assert_ok!(Oracle::feed(origin(4), Usd, 200));
		assert_ok!(Oracle::feed(origin(5), Usd, 200));
		assert_eq!(Prices::<Test>::get(Usd).unwrap().snm_per_unit, 100);
		// 3 agrees: three current feeders make 200.
		assert_ok!(Oracle::feed(origin(3), Usd, 200));
		System::assert_last_event(
			Event::PriceUpdated { currency: Usd, snm_per_unit: 200, feeds: 3, ignored: 0 }.into(),
		);
	});
}

#[test]
fn feeds_of_masternodes_that_left_make_room_for_new_feeders() {
	new_test_ext(|| {
		set_feeders((1..=MAX_FEEDERS as AccountId).collect());
		feed_all(&[100; MAX_FEEDERS as usize]);
		// Feeder 1 leaves; a new one takes its seat at once, though 1's feed is still fresh.
		let newcomer = MAX_FEEDERS as AccountId + 1;
		set_feeders((2..=newcomer).collect());
		assert_ok!(Oracle::feed(origin(newcomer), Usd, 100));
		assert!(Feeds::<Test>::get(Usd).iter().all(|(feeder, _)| *feeder != 1));
	});
}

#[test]
fn a_stale_price_stays_the_last_in_force() {
	new_test_ext(|| {
		feed_all(&[50, 50, 50]);
		let made = Prices::<Test>::get(Usd).unwrap();
		advance(PRICE_LIFETIME + 1);
		assert_eq!(<Oracle as PriceOf<Balance>>::price(Usd), None, "stale");
		assert_eq!(<Oracle as PriceOf<Balance>>::last_price(Usd), Some(made));
	});
}

/// The same when no new feeder makes room: the old feeds are still stored, but the price is
/// made only from current feeders'.
#[test]
fn stored_feeds_of_masternodes_that_left_are_not_counted() {
	new_test_ext(|| {
		feed_all(&[100, 100, 100, 100, 100]);
		set_feeders(vec![3, 4, 5]);
		advance(MIN_FEED_INTERVAL);
		System::reset_events();
		// Of 3, 4 and 5 only two agree (100, 100 against 200): no new price. Counting the
		// stored feeds of 1 and 2 would have made one from four agreeing feeds.
		assert_ok!(Oracle::feed(origin(4), Usd, 200));
		assert_eq!(Feeds::<Test>::get(Usd).len(), 5, "the old feeds are still stored");
		assert!(!System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::Oracle(Event::PriceUpdated { .. })
		)));
	});
}
