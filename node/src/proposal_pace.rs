//! Keeps a block proposal inside its slot's window on a busy machine.
//!
//! The block builder pushes extrinsics until 90 % of the time it is given and then seals the
//! block: the runtime's `on_finalize` and the storage root over every key the block changed. On
//! an idle node sealing takes a few tens of milliseconds; under a saturating load on a small
//! machine (the pool validating a thousand arriving extrinsics a second beside the builder) it
//! takes 0.1-0.4 s, and a proposal that ends past the window is discarded by the slot worker:
//! the slot is lost and every extrinsic in it waits for the next. [`PacedProposerFactory`]
//! wraps the proposer factory and gives the builder only as much of the window as leaves room
//! for the longest seal of the latest proposals that pushed until their deadline, and a fifth
//! more, so a node whose seals are quick builds with the whole window and a loaded one stops
//! pushing early enough to seal in time. Proposals that ended early (the pool ran dry) say
//! nothing about sealing and change nothing; until enough seals were measured, sealing is
//! assumed to take at least a quarter of the window.

use futures::{channel::oneshot, future::BoxFuture, FutureExt, TryFutureExt};
use sp_consensus::{Environment, ProposeArgs, Proposer};
use sp_core::traits::SpawnNamed;
use sp_runtime::traits::Block as BlockT;
use std::{
	collections::VecDeque,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use substrate_prometheus_endpoint::{register, Gauge, Opts, PrometheusError, Registry, F64};

/// The part of the time it is given that the block builder spends pushing extrinsics before it
/// seals (sc-basic-authorship keeps the last tenth for sealing).
const PUSHING_PART: f64 = 0.9;
/// Where a proposal should end at the latest, as a part of its window (past the whole window
/// it is discarded).
const AIM_OF_WINDOW: f64 = 0.97;
/// What sealing is assumed to take at least, as a part of the window, until
/// [`SEALS_REMEMBERED`] seals were measured (one quick seal of a light block says little of the
/// next full one's).
const FIRST_SEAL_OF_WINDOW: f64 = 0.25;
/// The room left for sealing, as a multiple of the longest recent seal: seals under load vary
/// by a fifth and more from one block to the next.
const SEAL_MARGIN: f64 = 1.2;
/// The least share of the window the builder is given: below it a block would carry too little
/// for the time a slot costs.
const LEAST_SHARE: f64 = 0.5;
/// How many of the latest measured seals the pace takes the longest of (a full node makes one
/// proposal a slot: about half a minute of them).
const SEALS_REMEMBERED: usize = 16;

/// How long sealing took in the latest proposals that pushed extrinsics until their deadline,
/// and from it how much of a window the block builder is given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProposalPace {
	seals: VecDeque<Duration>,
}

impl ProposalPace {
	/// The room left for sealing in `window`: the longest of the remembered seals and its
	/// margin, and at least the first guess until enough seals were measured.
	pub fn seal(&self, window: Duration) -> Duration {
		let longest = self.seals.iter().max().copied().unwrap_or_default().mul_f64(SEAL_MARGIN);
		if self.seals.len() < SEALS_REMEMBERED {
			longest.max(window.mul_f64(FIRST_SEAL_OF_WINDOW))
		} else {
			longest
		}
	}

	/// How much of `window` the builder is given: pushing for its part of that and then
	/// sealing in the room [`ProposalPace::seal`] leaves ends by the aim, never under the least
	/// share and never over the whole window.
	pub fn given(&self, window: Duration) -> Duration {
		window
			.mul_f64(AIM_OF_WINDOW)
			.saturating_sub(self.seal(window))
			.div_f64(PUSHING_PART)
			.clamp(window.mul_f64(LEAST_SHARE), window)
	}

	/// Learns from a proposal that was given `given` and took `took`: one that pushed until its
	/// deadline spent the rest sealing, which is remembered and returned; one that ended
	/// earlier (the pool ran dry, or the block filled) teaches nothing.
	pub fn record(&mut self, given: Duration, took: Duration) -> Option<Duration> {
		let seal = took.checked_sub(given.mul_f64(PUSHING_PART))?;
		if self.seals.len() == SEALS_REMEMBERED {
			self.seals.pop_front();
		}
		self.seals.push_back(seal);
		Some(seal)
	}
}

/// A proposer factory whose proposers build within the part of the window [`ProposalPace`]
/// leaves them.
pub struct PacedProposerFactory<E> {
	inner: E,
	pacing: Arc<Pacing>,
}

/// What the factory and each of its proposers share: the pace, where proposals are awaited, and
/// the share's gauge.
struct Pacing {
	pace: Mutex<ProposalPace>,
	spawner: Arc<dyn SpawnNamed>,
	share_gauge: Option<Gauge<F64>>,
}

impl Pacing {
	fn given(&self, window: Duration) -> Duration {
		self.pace.lock().expect("the pace is never poisoned").given(window)
	}

	/// Learns from a proposal given `given` of `window` that took `took`: logs a seal that
	/// changes what the builder gets and exports the share of the window it gets now.
	fn learn(&self, given: Duration, window: Duration, took: Duration) {
		let mut pace = self.pace.lock().expect("the pace is never poisoned");
		let seal = pace.record(given, took);
		let next = pace.given(window);
		drop(pace);
		if let Some(seal) = seal {
			log::debug!(
				target: "sonm-node",
				"Sealing took {} ms after {} ms of pushing",
				seal.as_millis(),
				given.mul_f64(PUSHING_PART).as_millis()
			);
			if next.abs_diff(given) > window / 100 {
				log::info!(
					target: "sonm-node",
					"⏱️  Sealing took {} ms after {} ms of pushing ({} ms of a {} ms window): \
					 the builder now gets {} ms of it",
					seal.as_millis(),
					given.mul_f64(PUSHING_PART).as_millis(),
					took.as_millis(),
					window.as_millis(),
					next.as_millis()
				);
			}
		}
		if let Some(gauge) = &self.share_gauge {
			gauge.set(next.as_secs_f64() / window.as_secs_f64());
		}
	}
}

impl<E> PacedProposerFactory<E> {
	/// Wraps `inner`; each proposal is awaited on a task of `spawner`, so that one the slot
	/// worker discards for running long is still measured to its end. The share of the window
	/// the builder gets is exported as `sonm_proposal_window_share` when `registry` is given.
	pub fn new(
		inner: E,
		spawner: Arc<dyn SpawnNamed>,
		registry: Option<&Registry>,
	) -> Result<Self, PrometheusError> {
		let share_gauge = registry
			.map(|registry| {
				register(
					Gauge::with_opts(Opts::new(
						"sonm_proposal_window_share",
						"Share of the slot's proposing window given to the block builder (1 when \
						 sealing is quick; lower when sealing a block under load needs the rest)",
					))?,
					registry,
				)
			})
			.transpose()?;
		let pace = ProposalPace::default();
		if let Some(gauge) = &share_gauge {
			let window = Duration::from_secs(1);
			gauge.set(pace.given(window).as_secs_f64());
		}
		Ok(Self {
			inner,
			pacing: Arc::new(Pacing { pace: Mutex::new(pace), spawner, share_gauge }),
		})
	}
}

impl<B: BlockT, E: Environment<B>> Environment<B> for PacedProposerFactory<E> {
	type Proposer = PacedProposer<E::Proposer>;
	type CreateProposer = BoxFuture<'static, Result<Self::Proposer, Self::Error>>;
	type Error = E::Error;

	fn init(&mut self, parent_header: &B::Header) -> Self::CreateProposer {
		let pacing = self.pacing.clone();
		self.inner
			.init(parent_header)
			.map_ok(move |inner| PacedProposer { inner, pacing })
			.boxed()
	}
}

/// One proposal, given its part of the window.
pub struct PacedProposer<P> {
	inner: P,
	pacing: Arc<Pacing>,
}

impl<B: BlockT, P: Proposer<B>> Proposer<B> for PacedProposer<P> {
	type Error = P::Error;
	type Proposal = BoxFuture<'static, Result<sp_consensus::Proposal<B>, Self::Error>>;

	fn propose(self, mut args: ProposeArgs<B>) -> Self::Proposal {
		let window = args.max_duration;
		let given = self.pacing.given(window);
		args.max_duration = given;
		let started = Instant::now();
		let proposal = self.inner.propose(args);
		let pacing = self.pacing.clone();
		let (deliver, delivered) = oneshot::channel();
		let measured = async move {
			let result = proposal.await;
			if result.is_ok() {
				pacing.learn(given, window, started.elapsed());
			}
			// Nobody waits any more when the slot worker discarded the proposal.
			let _ = deliver.send(result);
		};
		self.pacing
			.spawner
			.spawn("paced-proposal", Some("block-authoring"), measured.boxed());
		async move {
			delivered.await.unwrap_or_else(|_| {
				Err(sp_consensus::Error::Other("the proposal's task ended without it".into())
					.into())
			})
		}
		.boxed()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sonm_runtime::opaque::{Block, Header};
	use sp_runtime::traits::Header as _;

	const WINDOW: Duration = Duration::from_millis(1300);

	fn ms(millis: u64) -> Duration {
		Duration::from_millis(millis)
	}

	/// Whether two durations are the same to a microsecond (they come from float arithmetic).
	fn close(a: Duration, b: Duration) -> bool {
		a.abs_diff(b) < Duration::from_micros(1)
	}

	/// A pace that remembers `seals`, oldest first, after as many seals of nothing as make its
	/// memory full.
	fn pace_with(seals: &[u64]) -> ProposalPace {
		let padding = SEALS_REMEMBERED - seals.len();
		let seals = std::iter::repeat_n(0, padding).chain(seals.iter().copied());
		ProposalPace { seals: seals.map(ms).collect() }
	}

	#[test]
	fn a_fresh_node_leaves_a_quarter_of_the_window_for_its_first_seal() {
		let pace = ProposalPace::default();
		assert_eq!(pace.seal(WINDOW), ms(325));
		// Pushing until 90 % of what it is given, then sealing for a quarter of the window,
		// ends at 97 % of it.
		let given = pace.given(WINDOW);
		assert!(close(given.mul_f64(PUSHING_PART) + ms(325), WINDOW.mul_f64(AIM_OF_WINDOW)));
	}

	#[test]
	fn quick_seals_give_the_builder_the_whole_window_once_there_are_enough_of_them() {
		let mut pace = ProposalPace::default();
		// Pushed until 90 % of 1,040 ms (936 ms), sealed in 40 ms.
		assert_eq!(pace.record(ms(1040), ms(976)), Some(ms(40)));
		// One quick seal of a light block says little of the next full one's.
		assert_eq!(pace.seal(WINDOW), ms(325));
		for _ in 1..SEALS_REMEMBERED {
			pace.record(ms(1040), ms(976));
		}
		assert!(close(pace.seal(WINDOW), ms(48)), "40 ms and a fifth");
		assert_eq!(pace.given(WINDOW), WINDOW);
	}

	#[test]
	fn the_longest_recent_seal_and_its_margin_set_what_the_builder_gets() {
		let pace = pace_with(&[120, 350, 200]);
		assert!(close(pace.seal(WINDOW), ms(420)), "350 ms and a fifth");
		let given = pace.given(WINDOW);
		assert!(close(given.mul_f64(PUSHING_PART) + ms(420), WINDOW.mul_f64(AIM_OF_WINDOW)));
		// A seal a fifth longer than the longest so far still ends inside the window.
		assert!(given.mul_f64(PUSHING_PART) + ms(420) < WINDOW);
	}

	#[test]
	fn an_old_slow_seal_is_forgotten_after_enough_new_ones() {
		let mut pace = pace_with(&[600]);
		for _ in 0..SEALS_REMEMBERED - 1 {
			assert_eq!(pace.record(ms(1000), ms(1000)), Some(ms(100)));
			assert!(close(pace.seal(WINDOW), ms(720)));
		}
		pace.record(ms(1000), ms(1000));
		assert!(close(pace.seal(WINDOW), ms(120)));
	}

	#[test]
	fn a_proposal_that_ended_before_its_deadline_teaches_nothing() {
		let mut pace = pace_with(&[300]);
		// The pool ran dry after 2 ms; a block filled by weight and sealed by 899 ms of 1,000.
		assert_eq!(pace.record(ms(1000), ms(2)), None);
		assert_eq!(pace.record(ms(1000), ms(899)), None);
		assert_eq!(pace, pace_with(&[300]));
	}

	#[test]
	fn the_builder_never_gets_less_than_its_floor() {
		let pace = pace_with(&[5000]);
		assert_eq!(pace.given(WINDOW), WINDOW.mul_f64(LEAST_SHARE));
	}

	#[test]
	fn a_longer_window_leaves_the_same_time_for_the_seal() {
		// After a missed slot the slot worker gives a double window: the builder gets all of it
		// but the seal's room, not a share of it.
		let pace = pace_with(&[300]);
		let long = WINDOW * 2;
		let given = pace.given(long);
		assert!(close(given.mul_f64(PUSHING_PART) + ms(360), long.mul_f64(AIM_OF_WINDOW)));
	}

	/// A proposer whose proposal takes `takes` and yields an empty block.
	struct SlowProposer {
		takes: Duration,
	}

	impl Proposer<Block> for SlowProposer {
		type Error = sp_consensus::Error;
		type Proposal = BoxFuture<'static, Result<sp_consensus::Proposal<Block>, Self::Error>>;

		fn propose(self, _: ProposeArgs<Block>) -> Self::Proposal {
			let takes = self.takes;
			async move {
				std::thread::sleep(takes);
				let header = Header::new(
					1,
					Default::default(),
					Default::default(),
					[0; 32].into(),
					Default::default(),
				);
				Ok(sp_consensus::Proposal {
					block: Block::new(header, Vec::new()),
					storage_changes: Default::default(),
				})
			}
			.boxed()
		}
	}

	/// Pacing from `pace`, its proposals awaited on a thread pool, no gauge.
	fn pacing(pace: ProposalPace) -> Arc<Pacing> {
		Arc::new(Pacing {
			pace: Mutex::new(pace),
			spawner: Arc::new(sp_core::testing::TaskExecutor::new()),
			share_gauge: None,
		})
	}

	fn paced(takes: Duration, pacing: &Arc<Pacing>) -> PacedProposer<SlowProposer> {
		PacedProposer { inner: SlowProposer { takes }, pacing: pacing.clone() }
	}

	fn args(window: Duration) -> ProposeArgs<Block> {
		ProposeArgs { max_duration: window, ..Default::default() }
	}

	#[test]
	fn a_proposal_the_slot_worker_dropped_is_still_measured() {
		let pace = pacing(pace_with(&[10]));
		let window = ms(300);
		// Given the whole 300 ms window (a 12 ms seal leaves room), the proposal runs 400 ms;
		// the slot worker gives up on it (drops its future) long before it ends.
		assert_eq!(pace.given(window), window);
		drop(paced(ms(400), &pace).propose(args(window)));
		let deadline = Instant::now() + Duration::from_secs(30);
		while pace.given(window) == window {
			assert!(Instant::now() < deadline, "the dropped proposal was never measured");
			std::thread::sleep(ms(10));
		}
		// It pushed until 270 ms and sealed for 130 ms or more: the room is a fifth more.
		let seal = pace.pace.lock().unwrap().seal(window);
		assert!(seal >= ms(156), "{seal:?}");
	}

	#[test]
	fn the_builder_is_given_its_part_of_the_window() {
		let pace = pacing(pace_with(&[250]));
		let given = Arc::new(Mutex::new(None));
		struct Recording(Arc<Mutex<Option<Duration>>>);
		impl Proposer<Block> for Recording {
			type Error = sp_consensus::Error;
			type Proposal = BoxFuture<'static, Result<sp_consensus::Proposal<Block>, Self::Error>>;
			fn propose(self, args: ProposeArgs<Block>) -> Self::Proposal {
				*self.0.lock().unwrap() = Some(args.max_duration);
				async { Err(sp_consensus::Error::CannotSign("nothing to build".into())) }.boxed()
			}
		}
		let proposer = PacedProposer { inner: Recording(given.clone()), pacing: pace.clone() };
		let result = futures::executor::block_on(proposer.propose(args(ms(1000))));
		assert!(result.is_err(), "the inner proposer's error comes back");
		// (970 - 250 x 1.2) / 0.9 ms.
		let given = given.lock().unwrap().expect("the inner proposer was asked");
		assert!(close(given, ms(670).div_f64(0.9)), "{given:?}");
		// A failed proposal teaches nothing.
		assert_eq!(*pace.pace.lock().unwrap(), pace_with(&[250]));
	}
}
