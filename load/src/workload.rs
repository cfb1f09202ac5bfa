//! What a run sends: the workloads, planned as steps per signing account before anything is
//! signed. A plan has a setup (ask/bid pairs placed, some of them opened as deals) that is
//! not measured, and the measured steps, which name setup pairs and deals by their place in
//! the plan until the setup's ids are known.

/// A workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
	/// `Balances::transfer_keep_alive` between the run's accounts.
	Transfer,
	/// `Market::place_order`, asks and bids in turn.
	PlaceOrder,
	/// `Market::place_orders`, asks and bids in turn, eight in each extrinsic unless the run
	/// says otherwise ([`DEFAULT_ORDERS_PER_BATCH`]): the run's rate and counts are extrinsics.
	PlaceOrders,
	/// `Market::open_deal` of ask/bid pairs placed in the setup.
	OpenDeal,
	/// One extrinsic per deal: `Market::open_deal_with_signed_bid`, signed by a supplier with
	/// its ask (placed in the setup: standing asks) and a customer's bid signed off chain.
	SignedDeal,
	/// A worker's deals together: `Market::open_deals_with_signed_bids` of eight
	/// (`DEALS_PER_BATCH`) standing asks of the signing supplier, each with another customer's
	/// bid signed off chain: the run's rate and counts are extrinsics.
	SignedDeals,
	/// `Market::bill` of deals opened in the setup, each billed many times.
	Bill,
	/// A busy day's market: of every 20 calls 8 place orders, 4 open deals, 5 bill, 2 close a
	/// deal, 1 transfers.
	Mixed,
}

impl Workload {
	pub const ALL: [Workload; 8] = [
		Self::Transfer,
		Self::PlaceOrder,
		Self::PlaceOrders,
		Self::OpenDeal,
		Self::SignedDeal,
		Self::SignedDeals,
		Self::Bill,
		Self::Mixed,
	];

	/// Without a rate, a run plans this many calls per second of its duration: above what the
	/// chain carries of them, so that the node, not the plan, bounds the run, yet not so many
	/// that the setup (two orders placed for every deal) takes longer than the run. Batches of
	/// `orders_per_batch` orders: 4,000 orders a second.
	pub fn ceiling_per_second(self, orders_per_batch: usize) -> usize {
		match self {
			Self::Transfer | Self::PlaceOrder | Self::Bill => 3_000,
			Self::Mixed => 2_000,
			Self::OpenDeal | Self::SignedDeal => 1_200,
			Self::PlaceOrders => (4_000 / orders_per_batch.max(1)).max(1),
			Self::SignedDeals => 150,
		}
	}

	/// Orders placed or deals opened by each of its extrinsics, for a run whose `place_orders`
	/// carry `orders_per_batch`.
	pub fn per_extrinsic(self, orders_per_batch: usize) -> usize {
		match self {
			Self::PlaceOrders => orders_per_batch,
			Self::SignedDeals => DEALS_PER_BATCH,
			_ => 1,
		}
	}

	/// The name on the command line and in reports.
	pub fn name(self) -> &'static str {
		match self {
			Self::Transfer => "transfer",
			Self::PlaceOrder => "place-order",
			Self::PlaceOrders => "place-orders",
			Self::OpenDeal => "open-deal",
			Self::SignedDeal => "signed-deal",
			Self::SignedDeals => "signed-deals",
			Self::Bill => "bill",
			Self::Mixed => "mixed",
		}
	}
}

pub use sonm_primitives::market::Side;

/// One step of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
	/// A small transfer to account `to`.
	Transfer { to: usize },
	/// A new order (the terms are fixed: see [`crate::calls`]).
	Place(Side),
	/// This many new orders in one `place_orders`, asks and bids in turn.
	PlaceBatch(usize),
	/// The setup's orders of one signer in one `place_orders`: `asks` asks, then `bids` bids.
	PlaceSetup { asks: usize, bids: usize },
	/// `open_deal` of setup pair `pair`.
	Open { pair: usize },
	/// `open_deal_with_signed_bid` of setup pair `pair`'s ask (signed by its author) and a bid
	/// that account `customer` signs off chain.
	SignedDeal { pair: usize, customer: usize },
	/// `open_deals_with_signed_bids` of the [`DEALS_PER_BATCH`] setup pairs from `first_pair`
	/// (their asks all the signer's), each with a bid that its pair's account in `customers`
	/// signs off chain.
	SignedDeals { first_pair: usize, customers: [usize; DEALS_PER_BATCH] },
	/// `bill` of the setup deal in slot `deal`.
	Bill { deal: usize },
	/// `close_deal` of the setup deal in slot `deal`, by its customer.
	Close { deal: usize },
}

impl Step {
	/// The call's name in reports.
	pub fn kind(self) -> &'static str {
		match self {
			Self::Transfer { .. } => "transfer",
			Self::Place(_) => "place_order",
			Self::PlaceBatch(_) | Self::PlaceSetup { .. } => "place_orders",
			Self::Open { .. } => "open_deal",
			Self::SignedDeal { .. } => "open_deal_with_signed_bid",
			Self::SignedDeals { .. } => "open_deals_with_signed_bids",
			Self::Bill { .. } => "bill",
			Self::Close { .. } => "close_deal",
		}
	}
}

/// One `place_orders` of the setup: `signer`'s asks of the pairs in `asks`, then its bids of
/// the pairs in `bids`, in that order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupBatch {
	pub signer: usize,
	pub asks: Vec<usize>,
	pub bids: Vec<usize>,
}

impl SetupBatch {
	/// The step that signs it.
	pub fn planned(&self) -> Planned {
		let step = Step::PlaceSetup { asks: self.asks.len(), bids: self.bids.len() };
		Planned { signer: self.signer, step }
	}

	/// How many orders it places.
	pub fn orders(&self) -> usize {
		self.asks.len() + self.bids.len()
	}
}

/// A step and the account (index into the run's accounts) that signs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Planned {
	pub signer: usize,
	pub step: Step,
}

/// The bid of a signed pair, which is never placed.
pub const NO_BID: u64 = u64::MAX;

/// Open orders an account holds at most in a plan (the runtime allows 100).
pub const ORDERS_PER_ACCOUNT: usize = 90;
/// Orders in each `place_orders` of the batched workload unless a run says otherwise (the
/// runtime takes up to `MaxOrdersPerCall`, 64; eight keep an account's ten batches under
/// [`ORDERS_PER_ACCOUNT`]).
pub const DEFAULT_ORDERS_PER_BATCH: usize = 8;
/// Orders in each `place_orders` of the setup at most, unless the chain's `MaxOrdersPerCall` is
/// lower: a signer's pairs in a few extrinsics rather than one each.
pub const SETUP_ORDERS_PER_CALL: usize = 32;
/// Deals in each `open_deals_with_signed_bids` of the batched signed workload: a worker's
/// share of the bids that reach it in a block.
pub const DEALS_PER_BATCH: usize = 8;
/// Measured calls an account signs at most: an account has one extrinsic in the pool at a time
/// (the next goes once the previous is final), so a rate of R a second with finality in about
/// T seconds needs R x T accounts.
pub const EXTRINSICS_PER_ACCOUNT: usize = 10;
/// Each deal of a bill workload is billed this many times on average.
pub const BILLS_PER_DEAL: usize = 10;
/// The mixed workload's cycle: (steps per cycle of 20) place, open, bill, close, transfer.
const MIXED: [(StepKind, usize); 5] = [
	(StepKind::Place, 8),
	(StepKind::Open, 4),
	(StepKind::Bill, 5),
	(StepKind::Close, 2),
	(StepKind::Transfer, 1),
];
const MIXED_CYCLE: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StepKind {
	Place,
	PlaceBatch,
	Open,
	SignedDeal,
	SignedDealBatch,
	Bill,
	Close,
	Transfer,
}

/// A planned run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
	/// How many accounts sign.
	pub accounts: usize,
	/// Setup pairs: (the ask's author, the bid's author).
	pub pairs: Vec<(usize, usize)>,
	/// The first `deals` pairs are opened as deals in the setup (deal slot `d` is pair `d`).
	pub deals: usize,
	/// The last `signed` pairs are a standing ask each, for a bid signed off chain: the setup
	/// places only their asks.
	pub signed: usize,
	/// The measured steps, in the order they are signed and sent.
	pub measured: Vec<Planned>,
}

impl Plan {
	/// The plan of `count` measured calls of `workload`.
	pub fn new(workload: Workload, count: usize) -> Self {
		Self::with_accounts(workload, count, 0)
	}

	/// The plan of `count` measured calls of `workload` signed by at least `min_accounts`
	/// accounts: a run at a rate of R a second needs about R x (seconds to finality) of them,
	/// since an account's next extrinsic waits for the previous to be final.
	pub fn with_accounts(workload: Workload, count: usize, min_accounts: usize) -> Self {
		Self::batched(workload, count, min_accounts, DEFAULT_ORDERS_PER_BATCH)
	}

	/// [`Plan::with_accounts`], each `place_orders` carrying `orders_per_batch` orders (at
	/// least one, at most what an account may hold).
	pub fn batched(
		workload: Workload,
		count: usize,
		min_accounts: usize,
		orders_per_batch: usize,
	) -> Self {
		let orders_per_batch = orders_per_batch.clamp(1, ORDERS_PER_ACCOUNT - 2);
		let counts = |kind| match workload {
			Workload::Transfer => usize::from(kind == StepKind::Transfer) * count,
			Workload::PlaceOrder => usize::from(kind == StepKind::Place) * count,
			Workload::PlaceOrders => usize::from(kind == StepKind::PlaceBatch) * count,
			Workload::OpenDeal => usize::from(kind == StepKind::Open) * count,
			Workload::SignedDeal => usize::from(kind == StepKind::SignedDeal) * count,
			Workload::SignedDeals => usize::from(kind == StepKind::SignedDealBatch) * count,
			Workload::Bill => usize::from(kind == StepKind::Bill) * count,
			Workload::Mixed => {
				let Some((_, share)) = MIXED.iter().find(|(k, _)| *k == kind) else { return 0 };
				// Whole cycles, then the cycle's first steps for what is left.
				let left = count % MIXED_CYCLE;
				let mut extra = 0;
				let mut before = 0;
				for (k, s) in MIXED {
					if k == kind {
						extra = left.saturating_sub(before).min(s);
					}
					before += s;
				}
				count / MIXED_CYCLE * share + extra
			},
		};
		let (places, opens, bills, closes) = (
			counts(StepKind::Place),
			counts(StepKind::Open),
			counts(StepKind::Bill),
			counts(StepKind::Close),
		);
		let bill_deals = bills.div_ceil(BILLS_PER_DEAL);
		let deals = bill_deals + closes;
		let signed_batches = counts(StepKind::SignedDealBatch);
		let signed = counts(StepKind::SignedDeal) + signed_batches * DEALS_PER_BATCH;
		let pair_count = deals + opens + signed;
		// Every account stays under ORDERS_PER_ACCOUNT open orders over the whole run (two of
		// room for the rounding of spreading setup and measured orders separately).
		// An account sends its next extrinsic only once the previous is final, so the run
		// needs many: at most EXTRINSICS_PER_ACCOUNT measured calls each.
		let batches = counts(StepKind::PlaceBatch);
		let orders = places + batches * orders_per_batch + 2 * pair_count;
		let accounts = orders
			.div_ceil(ORDERS_PER_ACCOUNT - 2)
			// Batches go round the accounts whole: as many as fit under the bound each.
			.max(batches.div_ceil((ORDERS_PER_ACCOUNT - 2) / orders_per_batch))
			.max(count.div_ceil(EXTRINSICS_PER_ACCOUNT))
			.max(min_accounts.min(count))
			.max(2)
			// A batch's customers are as many others as it has deals.
			.max(if signed_batches > 0 { DEALS_PER_BATCH + 1 } else { 0 });
		// A signed pair's ask author signs its deal too: those go round every account, a
		// batch's pairs all with one author (its signer) and each with another customer.
		let first_signed = pair_count - signed;
		let pairs: Vec<(usize, usize)> = (0..pair_count)
			.map(|j| match j < first_signed {
				true => ((2 * j) % accounts, (2 * j + 1) % accounts),
				false if signed_batches > 0 => {
					let author = ((j - first_signed) / DEALS_PER_BATCH) % accounts;
					(author, (author + 1 + j % DEALS_PER_BATCH) % accounts)
				},
				false => (j % accounts, (j + 1) % accounts),
			})
			.collect();

		// The measured steps, by kind, each kind's in its own order.
		let mut queues: Vec<(StepKind, std::collections::VecDeque<Step>)> = vec![
			(
				StepKind::Place,
				(0..places)
					.map(|k| Step::Place(if k % 2 == 0 { Side::Ask } else { Side::Bid }))
					.collect(),
			),
			(StepKind::Open, (deals..deals + opens).map(|pair| Step::Open { pair }).collect()),
			(
				StepKind::SignedDeal,
				(first_signed..first_signed + counts(StepKind::SignedDeal))
					.map(|pair| Step::SignedDeal { pair, customer: pairs[pair].1 })
					.collect(),
			),
			(
				StepKind::Bill,
				(0..bills).map(|k| Step::Bill { deal: k % bill_deals.max(1) }).collect(),
			),
			(StepKind::Close, (bill_deals..deals).map(|deal| Step::Close { deal }).collect()),
			(
				StepKind::Transfer,
				(0..counts(StepKind::Transfer)).map(|_| Step::Transfer { to: 0 }).collect(),
			),
			(
				StepKind::PlaceBatch,
				(0..batches).map(|_| Step::PlaceBatch(orders_per_batch)).collect(),
			),
			(
				StepKind::SignedDealBatch,
				(0..signed_batches)
					.map(|b| {
						let first_pair = first_signed + b * DEALS_PER_BATCH;
						let customers = std::array::from_fn(|k| pairs[first_pair + k].1);
						Step::SignedDeals { first_pair, customers }
					})
					.collect(),
			),
		];
		let mut measured = Vec::with_capacity(count);
		// Batches and signed deals are no part of the mixed cycle: their share of it is none.
		let cycle = MIXED.into_iter().chain([
			(StepKind::PlaceBatch, 0),
			(StepKind::SignedDeal, 0),
			(StepKind::SignedDealBatch, 0),
		]);
		'cycles: loop {
			for (kind, share) in cycle.clone() {
				let queue = &mut queues.iter_mut().find(|(k, _)| *k == kind).expect("every kind").1;
				// A single-kind workload drains its queue; the mixed one takes its share per cycle.
				let take = if workload == Workload::Mixed { share } else { usize::MAX };
				for step in queue.drain(..take.min(queue.len())) {
					measured.push(step);
				}
			}
			if queues.iter().all(|(_, q)| q.is_empty()) {
				break 'cycles;
			}
		}
		// New orders go round the accounts by themselves, so that each account's count stays even
		// whatever the other steps around them.
		let mut placed = 0;
		let measured = measured
			.into_iter()
			.enumerate()
			.map(|(k, step)| match step {
				Step::Place(_) | Step::PlaceBatch(_) => {
					placed += 1;
					Planned { signer: (placed - 1) % accounts, step }
				},
				// A forward deal is closed before its end only by its customer.
				Step::Close { deal } => Planned { signer: pairs[deal].1, step },
				// The ask's author opens the deal of its ask.
				Step::SignedDeal { pair, .. } => Planned { signer: pairs[pair].0, step },
				Step::SignedDeals { first_pair, .. } => {
					Planned { signer: pairs[first_pair].0, step }
				},
				Step::Transfer { .. } => {
					let signer = k % accounts;
					Planned { signer, step: Step::Transfer { to: (signer + 1) % accounts } }
				},
				step => Planned { signer: k % accounts, step },
			})
			.collect();
		Self { accounts, pairs, deals, signed, measured }
	}

	/// The setup's order placements: each signer's asks and bids of the pairs in `place_orders`
	/// of at most `per_call` orders, its asks first (none for a signed pair's bid: it is signed
	/// off chain). The signers take turns, a batch of each at a time, so that no account's
	/// extrinsics wait behind another's.
	pub fn setup_orders(&self, per_call: usize) -> Vec<SetupBatch> {
		let placed_bids = self.pairs.len() - self.signed;
		let mut asks_of = vec![Vec::new(); self.accounts];
		let mut bids_of = vec![Vec::new(); self.accounts];
		for (j, &(ask, bid)) in self.pairs.iter().enumerate() {
			asks_of[ask].push(j);
			if j < placed_bids {
				bids_of[bid].push(j);
			}
		}
		// Each signer's batches: its asks, then its bids, cut into calls of the most.
		let mut queues: Vec<std::collections::VecDeque<SetupBatch>> = (0..self.accounts)
			.map(|signer| {
				let all: Vec<(usize, Side)> = asks_of[signer]
					.iter()
					.map(|&j| (j, Side::Ask))
					.chain(bids_of[signer].iter().map(|&j| (j, Side::Bid)))
					.collect();
				all.chunks(per_call.max(1))
					.map(|chunk| {
						let of = |wanted: Side| {
							chunk.iter().filter(move |(_, side)| *side == wanted).map(|(j, _)| *j)
						};
						SetupBatch {
							signer,
							asks: of(Side::Ask).collect(),
							bids: of(Side::Bid).collect(),
						}
					})
					.collect()
			})
			.collect();
		let mut batches = Vec::new();
		while queues.iter().any(|queue| !queue.is_empty()) {
			batches.extend(queues.iter_mut().filter_map(|queue| queue.pop_front()));
		}
		batches
	}

	/// The setup's pairs from the ids each of `batches` (from [`Plan::setup_orders`]) placed, in
	/// the order of its orders: (ask, bid), and (ask, [`NO_BID`]) for a signed pair. Fails
	/// naming the first batch whose ids do not match its orders.
	pub fn pair_ids(
		&self,
		batches: &[SetupBatch],
		placed: &[Vec<u64>],
	) -> Result<Vec<(u64, u64)>, String> {
		if batches.len() != placed.len() {
			return Err(format!("{} batches, ids of {}", batches.len(), placed.len()));
		}
		let mut ids = vec![(NO_BID, NO_BID); self.pairs.len()];
		for (k, (batch, placed)) in batches.iter().zip(placed).enumerate() {
			if placed.len() != batch.orders() {
				return Err(format!(
					"batch {k} placed {} orders of {}",
					placed.len(),
					batch.orders()
				));
			}
			let (ask_ids, bid_ids) = placed.split_at(batch.asks.len());
			for (&pair, &id) in batch.asks.iter().zip(ask_ids) {
				ids[pair].0 = id;
			}
			for (&pair, &id) in batch.bids.iter().zip(bid_ids) {
				ids[pair].1 = id;
			}
		}
		let placed_bids = self.pairs.len() - self.signed;
		match ids
			.iter()
			.enumerate()
			.find(|(j, (ask, bid))| *ask == NO_BID || (*j < placed_bids && *bid == NO_BID))
		{
			Some((j, _)) => Err(format!("pair {j} has no id for one of its orders")),
			None => Ok(ids),
		}
	}

	/// The setup's deals: the first `deals` pairs opened, each by its customer.
	pub fn setup_deals(&self) -> Vec<Planned> {
		(0..self.deals)
			.map(|pair| Planned { signer: self.pairs[pair].1, step: Step::Open { pair } })
			.collect()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::collections::HashMap;

	fn kinds(plan: &Plan) -> HashMap<&'static str, usize> {
		let mut counts = HashMap::new();
		for planned in &plan.measured {
			*counts.entry(planned.step.kind()).or_default() += 1;
		}
		counts
	}

	#[test]
	fn single_workloads_plan_exactly_their_count() {
		for (workload, kind) in [
			(Workload::Transfer, "transfer"),
			(Workload::PlaceOrder, "place_order"),
			(Workload::PlaceOrders, "place_orders"),
			(Workload::OpenDeal, "open_deal"),
			(Workload::SignedDeal, "open_deal_with_signed_bid"),
			(Workload::SignedDeals, "open_deals_with_signed_bids"),
			(Workload::Bill, "bill"),
		] {
			let plan = Plan::new(workload, 1_001);
			assert_eq!(plan.measured.len(), 1_001, "{workload:?}");
			assert_eq!(kinds(&plan), HashMap::from([(kind, 1_001)]), "{workload:?}");
		}
		let open = Plan::new(Workload::OpenDeal, 1_001);
		assert_eq!((open.pairs.len(), open.deals), (1_001, 0));
		let bill = Plan::new(Workload::Bill, 1_001);
		assert_eq!((bill.pairs.len(), bill.deals), (101, 101));
	}

	#[test]
	fn the_mixed_workload_keeps_its_proportions() {
		let plan = Plan::new(Workload::Mixed, 2_000);
		assert_eq!(plan.measured.len(), 2_000);
		assert_eq!(
			kinds(&plan),
			HashMap::from([
				("place_order", 800),
				("open_deal", 400),
				("bill", 500),
				("close_deal", 200),
				("transfer", 100)
			])
		);
		// Every cycle of 20 holds each kind in its share.
		let first: Vec<_> = plan.measured[..20].iter().map(|p| p.step.kind()).collect();
		assert_eq!(first.iter().filter(|k| **k == "close_deal").count(), 2);
		// A count that is not whole cycles: the last cycle is cut short, nothing is lost.
		assert_eq!(Plan::new(Workload::Mixed, 33).measured.len(), 33);
	}

	#[test]
	fn pairs_deals_and_closes_fit_together() {
		let plan = Plan::new(Workload::Mixed, 2_000);
		// 500 bills over 50 deals, 200 closes, 400 pairs to open.
		assert_eq!(plan.deals, 250);
		assert_eq!(plan.pairs.len(), 650);
		let mut billed = std::collections::HashSet::new();
		let mut closed = std::collections::HashSet::new();
		let mut opened = std::collections::HashSet::new();
		for planned in &plan.measured {
			match planned.step {
				Step::Bill { deal } => assert!(billed.insert(deal) || deal < 50),
				Step::Close { deal } => {
					assert!(closed.insert(deal), "deal {deal} closed twice");
					assert_eq!(planned.signer, plan.pairs[deal].1, "only the customer closes");
				},
				Step::Open { pair } => {
					assert!(pair >= plan.deals, "setup deals are not opened again");
					assert!(opened.insert(pair), "pair {pair} opened twice");
				},
				Step::Transfer { to } => assert_ne!(to, planned.signer),
				Step::Place(_) => {},
				Step::PlaceBatch(_) => panic!("the mixed market places single orders"),
				Step::PlaceSetup { .. } => panic!("setup placements are not measured"),
				Step::SignedDeal { .. } | Step::SignedDeals { .. } => {
					panic!("the mixed market signs no bids")
				},
			}
		}
		assert!(billed.is_disjoint(&closed), "a closed deal is not billed");
		for (ask, bid) in &plan.pairs {
			assert_ne!(ask, bid, "an account never deals with itself");
		}
	}

	#[test]
	fn no_account_holds_more_orders_than_it_may() {
		for workload in Workload::ALL {
			let plan = Plan::new(workload, 10_000);
			let mut orders = vec![0usize; plan.accounts];
			for batch in plan.setup_orders(SETUP_ORDERS_PER_CALL) {
				orders[batch.signer] += batch.orders();
			}
			for planned in &plan.measured {
				match planned.step {
					Step::Place(_) => orders[planned.signer] += 1,
					Step::PlaceBatch(n) => orders[planned.signer] += n,
					_ => {},
				}
			}
			assert!(
				orders.iter().all(|&n| n <= ORDERS_PER_ACCOUNT),
				"{workload:?}: {:?}",
				orders.iter().max()
			);
		}
	}

	#[test]
	fn batches_of_any_size_keep_every_account_under_its_bound() {
		for orders_per_batch in [1, 7, 8, 32, 64] {
			let plan = Plan::batched(Workload::PlaceOrders, 3_000, 0, orders_per_batch);
			let mut orders = vec![0usize; plan.accounts];
			for planned in &plan.measured {
				let Step::PlaceBatch(n) = planned.step else { panic!("batches only") };
				assert_eq!(n, orders_per_batch);
				orders[planned.signer] += n;
			}
			assert_eq!(orders.iter().sum::<usize>(), 3_000 * orders_per_batch);
			assert!(orders.iter().all(|&n| n <= ORDERS_PER_ACCOUNT), "{orders_per_batch}");
		}
	}

	#[test]
	fn a_rate_asks_for_accounts_enough_to_wait_for_finality() {
		// 10 s at 150 a second: 1,500 calls, each account with one to send, not 10.
		let plan = Plan::with_accounts(Workload::Transfer, 1_500, 1_800);
		assert_eq!(plan.accounts, 1_500);
		assert!(plan.measured.iter().all(|p| p.signer < 1_500));
		let signers: std::collections::HashSet<_> =
			plan.measured.iter().map(|p| p.signer).collect();
		assert_eq!(signers.len(), 1_500);
		// Without a rate the count decides: 10 calls an account.
		assert_eq!(Plan::with_accounts(Workload::Transfer, 1_500, 0).accounts, 150);
	}

	#[test]
	fn a_batch_of_signed_deals_takes_its_signers_asks_each_with_another_customer() {
		let plan = Plan::new(Workload::SignedDeals, 500);
		assert_eq!(plan.signed, 500 * DEALS_PER_BATCH);
		let setup: usize =
			plan.setup_orders(SETUP_ORDERS_PER_CALL).iter().map(SetupBatch::orders).sum();
		assert_eq!(setup, 500 * DEALS_PER_BATCH, "asks only");
		let mut pairs = std::collections::HashSet::new();
		let mut per_signer = vec![0; plan.accounts];
		for planned in &plan.measured {
			let Step::SignedDeals { first_pair, customers } = planned.step else {
				panic!("{planned:?}")
			};
			let mut distinct = std::collections::HashSet::new();
			for (pair, customer) in (first_pair..).zip(customers) {
				assert!(pairs.insert(pair), "pair {pair} dealt twice");
				assert_eq!(plan.pairs[pair], (planned.signer, customer), "the signer's ask");
				assert_ne!(customer, planned.signer);
				assert!(distinct.insert(customer), "a customer twice in one batch");
			}
			per_signer[planned.signer] += 1;
		}
		assert_eq!(pairs.len(), plan.signed);
		assert!(per_signer.iter().all(|&n| n <= EXTRINSICS_PER_ACCOUNT), "{per_signer:?}");
	}

	#[test]
	fn signed_deals_stand_on_asks_alone_each_signed_by_its_author() {
		let plan = Plan::new(Workload::SignedDeal, 1_000);
		assert_eq!((plan.pairs.len(), plan.signed, plan.deals), (1_000, 1_000, 0));
		let batches = plan.setup_orders(SETUP_ORDERS_PER_CALL);
		assert!(
			batches.iter().all(|batch| batch.bids.is_empty()),
			"asks only: the bids are signed"
		);
		let mut pairs = std::collections::HashSet::new();
		let mut per_signer = vec![0; plan.accounts];
		for planned in &plan.measured {
			let Step::SignedDeal { pair, customer } = planned.step else { panic!("{planned:?}") };
			assert!(pairs.insert(pair), "pair {pair} dealt twice");
			assert_eq!(planned.signer, plan.pairs[pair].0, "the ask's author opens its deal");
			assert_eq!(customer, plan.pairs[pair].1);
			assert_ne!(customer, planned.signer);
			per_signer[planned.signer] += 1;
		}
		assert!(per_signer.iter().all(|&n| n <= EXTRINSICS_PER_ACCOUNT), "{per_signer:?}");
		// The ids of the setup: each ask with the id its batch gave it, its bid never placed.
		let placed = ids_for(&batches, 100);
		let ids = plan.pair_ids(&batches, &placed).unwrap();
		let first = &batches[0];
		assert_eq!(ids[first.asks[0]], (100, NO_BID));
		assert_eq!(ids[first.asks[1]], (101, NO_BID));
		assert!(ids.iter().all(|(ask, bid)| (100..1_100).contains(ask) && *bid == NO_BID));
	}

	/// Consecutive ids from `first` for every order of `batches`, as the chain gives them.
	fn ids_for(batches: &[SetupBatch], first: u64) -> Vec<Vec<u64>> {
		let mut next = first;
		batches
			.iter()
			.map(|batch| {
				let ids = (next..next + batch.orders() as u64).collect();
				next += batch.orders() as u64;
				ids
			})
			.collect()
	}

	#[test]
	fn setup_batches_place_each_pairs_orders_once_by_their_authors() {
		for (workload, per_call) in
			Workload::ALL.into_iter().zip([32, 7, 1, 64].into_iter().cycle())
		{
			let plan = Plan::new(workload, 3_000);
			let batches = plan.setup_orders(per_call);
			let mut sides = vec![(0, 0); plan.pairs.len()];
			for batch in &batches {
				assert!((1..=per_call).contains(&batch.orders()));
				for &pair in &batch.asks {
					assert_eq!(batch.signer, plan.pairs[pair].0, "{workload:?}");
					sides[pair].0 += 1;
				}
				for &pair in &batch.bids {
					assert_eq!(batch.signer, plan.pairs[pair].1, "{workload:?}");
					sides[pair].1 += 1;
				}
			}
			let placed_bids = plan.pairs.len() - plan.signed;
			for (j, placed) in sides.iter().enumerate() {
				assert_eq!(*placed, (1, usize::from(j < placed_bids)), "{workload:?} pair {j}");
			}
			// A signer's orders in as few calls as the bound allows.
			let orders = placed_bids + plan.pairs.len();
			let mut per_signer = vec![0; plan.accounts];
			for batch in &batches {
				per_signer[batch.signer] += batch.orders();
			}
			let fewest: usize = per_signer.iter().map(|n| n.div_ceil(per_call)).sum();
			assert_eq!(batches.len(), fewest, "{workload:?}");
			// The ids map back to their pairs, each order's own.
			let ids = plan.pair_ids(&batches, &ids_for(&batches, 0)).unwrap();
			let mut seen: Vec<u64> = ids.iter().flat_map(|(a, b)| [*a, *b]).collect();
			seen.retain(|id| *id != NO_BID);
			seen.sort_unstable();
			assert_eq!(seen, (0..orders as u64).collect::<Vec<_>>(), "{workload:?}");
		}
	}

	#[test]
	fn setup_ids_that_do_not_match_their_batches_are_refused() {
		let plan = Plan::new(Workload::OpenDeal, 100);
		let batches = plan.setup_orders(SETUP_ORDERS_PER_CALL);
		let mut placed = ids_for(&batches, 0);
		assert!(plan.pair_ids(&batches, &placed[1..]).unwrap_err().contains("batches"));
		placed[0].pop();
		assert!(plan.pair_ids(&batches, &placed).unwrap_err().contains("batch 0 placed"));
	}

	#[test]
	fn setup_steps_name_their_pairs() {
		let plan = Plan::new(Workload::Bill, 100);
		let batches = plan.setup_orders(SETUP_ORDERS_PER_CALL);
		let orders: usize = batches.iter().map(SetupBatch::orders).sum();
		assert_eq!(orders, 2 * plan.pairs.len());
		// The signers take turns: the first round holds one batch of each signer.
		let first_round: std::collections::HashSet<usize> =
			batches.iter().take(plan.accounts).map(|b| b.signer).collect();
		assert_eq!(first_round.len(), batches.len().min(plan.accounts));
		let deals = plan.setup_deals();
		assert_eq!(deals.len(), plan.deals);
		assert!(deals.iter().enumerate().all(|(d, p)| p.step == Step::Open { pair: d }));
	}
}
