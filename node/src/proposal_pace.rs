//! Keeps a block proposal inside its slot's window on a busy machine.
//!
//! The block builder pushes extrinsics until 90 % of the time it is given and then seals the
//! block: the runtime's `on_finalize` and the storage root over every key the block changed. On
//! an idle node sealing fits the remaining tenth; under a saturating load on a small machine
//! (the pool validating a thousand arriving extrinsics a second beside the builder) it takes
//! 0.2-0.5 s, the proposal ends past the window, and the slot worker discards it: the slot is
//! lost and every extrinsic in it waits for the next. [`PacedProposerFactory`] wraps the
//! proposer factory and gives the builder a share of the window learnt from the proposals
//! before it: the share shrinks at once in proportion when a proposal came within a twentieth of
//! the window's end (or past it: a discarded proposal is still awaited and measured) and grows
//! back by a few percent with each one that ended with room to spare, so an idle node builds
//! with the whole window and a loaded one stops pushing early enough to seal in time.

use futures::{channel::oneshot, future::BoxFuture, FutureExt, TryFutureExt};
use sp_consensus::{Environment, ProposeArgs, Proposer};
use sp_core::traits::SpawnNamed;
use sp_runtime::traits::Block as BlockT;
use std::{
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use substrate_prometheus_endpoint::{register, Gauge, Opts, PrometheusError, Registry, F64};

/// A proposal that took longer than this part of its window came too close to the end of the
/// slot's window (a proposal past it is discarded): the share shrinks.
const LONGEST_OF_WINDOW: f64 = 0.95;
/// What a shrunk share aims at: the middle of the band the share rests in.
const AIM_OF_WINDOW: f64 = 0.9;
/// A proposal that took less than this part of its window leaves room: the share grows.
const ROOM_BELOW: f64 = 0.85;
/// The least share of the window the builder is given: below it a block would carry too little
/// for the time a slot costs.
const LEAST_SHARE: f64 = 0.5;
/// How much the share grows after one proposal that ended with room to spare.
const GROWTH_PER_PROPOSAL: f64 = 1.05;

/// The share of each slot's window given to the block builder, learnt from the proposals'
/// durations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProposalPace {
	share: f64,
}

impl Default for ProposalPace {
	fn default() -> Self {
		Self { share: 1.0 }
	}
}

impl ProposalPace {
	/// The share of the window the next proposal is given.
	pub fn share(&self) -> f64 {
		self.share
	}

	/// Learns from a proposal that was given `window` (the whole, before the share) and took
	/// `took`; returns the share for the next one.
	pub fn record(&mut self, window: Duration, took: Duration) -> f64 {
		let window = window.as_secs_f64();
		let took = took.as_secs_f64().max(f64::EPSILON);
		if took > window * LONGEST_OF_WINDOW {
			// The builder's time and the seal's both scale with what the block carries, so the
			// share shrinks by the proportion the proposal overran its aim.
			self.share = (self.share * window * AIM_OF_WINDOW / took).max(LEAST_SHARE);
		} else if took < window * ROOM_BELOW {
			self.share = (self.share * GROWTH_PER_PROPOSAL).min(1.0);
		}
		self.share
	}
}

/// A proposer factory whose proposers build within the share of the window [`ProposalPace`]
/// learnt.
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
	fn share(&self) -> f64 {
		self.pace.lock().expect("the pace is never poisoned").share()
	}

	/// Learns from a proposal given `share` of `window` that took `took`: logs a change of
	/// share and exports the new one.
	fn learn(&self, share: f64, window: Duration, took: Duration) {
		let next = self.pace.lock().expect("the pace is never poisoned").record(window, took);
		if (next - share).abs() > 0.01 {
			log::info!(
				target: "sonm-node",
				"⏱️  Proposal took {} ms of a {} ms window: the builder now gets {:.0} % of it",
				took.as_millis(),
				window.as_millis(),
				next * 100.0
			);
		}
		if let Some(gauge) = &self.share_gauge {
			gauge.set(next);
		}
	}
}

impl<E> PacedProposerFactory<E> {
	/// Wraps `inner`; each proposal is awaited on a task of `spawner`, so that one the slot
	/// worker discards for running long is still measured to its end. The share is exported as
	/// `sonm_proposal_window_share` when `registry` is given.
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
						 idle; lower when sealing a block under load needs the rest)",
					))?,
					registry,
				)
			})
			.transpose()?;
		if let Some(gauge) = &share_gauge {
			gauge.set(1.0);
		}
		let pace = Mutex::new(ProposalPace::default());
		Ok(Self { inner, pacing: Arc::new(Pacing { pace, spawner, share_gauge }) })
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

/// One proposal, given its share of the window.
pub struct PacedProposer<P> {
	inner: P,
	pacing: Arc<Pacing>,
}

impl<B: BlockT, P: Proposer<B>> Proposer<B> for PacedProposer<P> {
	type Error = P::Error;
	type Proposal = BoxFuture<'static, Result<sp_consensus::Proposal<B>, Self::Error>>;

	fn propose(self, mut args: ProposeArgs<B>) -> Self::Proposal {
		let window = args.max_duration;
		let share = self.pacing.share();
		args.max_duration = window.mul_f64(share);
		let started = Instant::now();
		let proposal = self.inner.propose(args);
		let pacing = self.pacing.clone();
		let (deliver, delivered) = oneshot::channel();
		let measured = async move {
			let result = proposal.await;
			if result.is_ok() {
				pacing.learn(share, window, started.elapsed());
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

	#[test]
	fn an_idle_node_builds_with_the_whole_window() {
		let mut pace = ProposalPace::default();
		for _ in 0..10 {
			assert_eq!(pace.record(WINDOW, Duration::from_millis(40)), 1.0);
		}
	}

	#[test]
	fn an_overrun_shrinks_the_share_in_proportion_to_its_aim() {
		let mut pace = ProposalPace::default();
		// Aim 1,170 ms; took 1,500 ms.
		let share = pace.record(WINDOW, Duration::from_millis(1500));
		assert!((share - 1170.0 / 1500.0).abs() < 1e-9, "{share}");
		// A second overrun shrinks from there.
		let again = pace.record(WINDOW, Duration::from_millis(1300));
		assert!((again - share * 1170.0 / 1300.0).abs() < 1e-9, "{again}");
	}

	#[test]
	fn the_share_never_falls_below_its_floor() {
		let mut pace = ProposalPace::default();
		for _ in 0..20 {
			pace.record(WINDOW, Duration::from_secs(5));
		}
		assert_eq!(pace.share(), LEAST_SHARE);
	}

	#[test]
	fn the_share_grows_back_a_little_at_a_time_once_proposals_end_in_time() {
		let mut pace = ProposalPace { share: LEAST_SHARE };
		let grown = pace.record(WINDOW, Duration::from_millis(100));
		assert!((grown - LEAST_SHARE * GROWTH_PER_PROPOSAL).abs() < 1e-9, "{grown}");
		for _ in 0..100 {
			pace.record(WINDOW, Duration::from_millis(100));
		}
		assert_eq!(pace.share(), 1.0);
	}

	#[test]
	fn a_proposal_inside_the_band_keeps_the_share() {
		let mut pace = ProposalPace { share: 0.8 };
		// Between 85 % (1,105 ms) and 95 % (1,235 ms) of the window: neither grows nor shrinks.
		for took in [1110, 1170, 1230] {
			assert_eq!(pace.record(WINDOW, Duration::from_millis(took)), 0.8);
		}
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

	/// Pacing from `share`, its proposals awaited on a thread pool, no gauge.
	fn pacing(share: f64) -> Arc<Pacing> {
		Arc::new(Pacing {
			pace: Mutex::new(ProposalPace { share }),
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
		let pace = pacing(1.0);
		// The slot worker gives up on the proposal (drops its future) long before it ends.
		drop(paced(Duration::from_millis(400), &pace).propose(args(Duration::from_millis(300))));
		let deadline = Instant::now() + Duration::from_secs(30);
		while pace.share() == 1.0 {
			assert!(Instant::now() < deadline, "the dropped proposal was never measured");
			std::thread::sleep(Duration::from_millis(10));
		}
		// It took 400 ms or more of a 300 ms window: the share aims at 270 ms of that.
		let share = pace.share();
		assert!((LEAST_SHARE..=270.0 / 400.0).contains(&share), "{share}");
	}

	#[test]
	fn the_builder_is_given_its_share_of_the_window() {
		let pace = pacing(0.6);
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
		let result = futures::executor::block_on(proposer.propose(args(Duration::from_secs(1))));
		assert!(result.is_err(), "the inner proposer's error comes back");
		assert_eq!(*given.lock().unwrap(), Some(Duration::from_millis(600)));
		// A failed proposal teaches nothing.
		assert_eq!(pace.share(), 0.6);
	}
}
