//! A run's report: what was sent, accepted, included, finalized, refused and lost, the
//! sustained rates, latencies, our share of the pool, the node's CPU and memory and the blocks.

use crate::{
	engine::{BlockSeen, Outcome, Record},
	node_process::Usage,
	stats::{Latencies, PerSecond},
};
use std::{collections::BTreeMap, time::Duration};

/// The report of one workload's run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
	pub workload: String,
	pub url: String,
	/// Extrinsics signed for the run, and of those sent, accepted, included, finalized.
	pub planned: usize,
	pub sent: usize,
	pub accepted: usize,
	pub included: usize,
	pub finalized: usize,
	/// Included, and their dispatch succeeded.
	pub succeeded: usize,
	/// Accepted, yet neither included nor reported invalid by the end of the drain.
	pub lost: usize,
	/// Refused at submission for good, by the node's reason.
	pub rejected: BTreeMap<String, usize>,
	/// Busy answers (sent again) and "already imported" answers (followed unwatched), by the
	/// answer.
	pub retried: BTreeMap<String, usize>,
	/// Accepted, then given up by the pool, by status.
	pub invalid: BTreeMap<String, usize>,
	/// Included with a failed dispatch, by error.
	pub failed: BTreeMap<String, usize>,
	/// Seconds spent submitting.
	pub submitting_s: f64,
	pub submitted_per_s: f64,
	/// Included (best block) and finalized per second, each over a window as long as the
	/// submission from the first of ours it saw.
	pub included_per_s: f64,
	pub finalized_per_s: f64,
	/// Included and finalized in each second of the run.
	pub included_series: Vec<u64>,
	pub finalized_series: Vec<u64>,
	/// From submission to the node's in-block report, and to the follower's finality.
	pub inclusion_latency: Latencies,
	pub finality_latency: Latencies,
	/// Ours in the node's pool (accepted, not in a block), sampled each second.
	pub pool_peak: usize,
	pub pool_mean: f64,
	pub node: Option<Usage>,
	/// The load generator's own CPU and memory.
	pub generator: Option<Usage>,
	/// Blocks finalized per minute while the run followed the chain (30 with no slot missed
	/// and finality keeping pace, at two-second slots).
	pub finalized_blocks_per_min: f64,
	/// Finalized blocks holding ours: how many, the most and the mean of ours per block.
	pub blocks_with_ours: usize,
	pub most_per_block: usize,
	pub mean_per_block: f64,
	/// Blocks finalized during the run, with or without ours.
	pub blocks: usize,
	/// Orders placed or deals opened by each extrinsic (1 but for the batched workloads).
	pub per_extrinsic: usize,
	/// Blocks per masternode session on the chain (a session's change takes its block: ten-block
	/// dev sessions carry a tenth less than production's 1,800-block ones).
	pub session_blocks: u32,
}

impl Report {
	/// The report of `outcome` for `planned` extrinsics of `workload`, each placing or opening
	/// `per_extrinsic` orders or deals, sent to `url`, a chain with sessions of `session_blocks`.
	pub fn of(
		workload: &str,
		url: &str,
		session_blocks: u32,
		(planned, per_extrinsic): (usize, usize),
		outcome: &Outcome,
	) -> Self {
		let records = &outcome.records;
		let count = |f: &dyn Fn(&Record) -> bool| records.iter().filter(|r| f(r)).count();
		let by_reason = |f: &dyn Fn(&Record) -> Option<&String>| {
			let mut map = BTreeMap::new();
			for reason in records.iter().filter_map(f) {
				*map.entry(reason.clone()).or_insert(0) += 1;
			}
			map
		};
		let window = outcome.submitting;
		let mut included_series = PerSecond::default();
		let mut finalized_series = PerSecond::default();
		let mut inclusion = Vec::new();
		let mut finality = Vec::new();
		for record in records {
			let Some(sent) = record.submitted else { continue };
			if let Some(at) = record.in_block {
				included_series.add(at);
				inclusion.push(at.saturating_sub(sent));
			}
			if let Some(at) = record.finalized {
				finalized_series.add(at);
				finality.push(at.saturating_sub(sent));
			}
		}
		let in_blocks: Vec<&BlockSeen> = outcome.blocks.iter().filter(|b| b.ours > 0).collect();
		let sent = count(&|r| r.submitted.is_some());
		Report {
			workload: workload.to_owned(),
			url: url.to_owned(),
			planned,
			sent,
			accepted: count(&|r| r.accepted()),
			included: count(&|r| r.in_block.is_some()),
			finalized: count(&|r| r.finalized.is_some()),
			succeeded: count(&|r| r.finalized.is_some() && r.failed.is_none()),
			lost: count(&Record::lost),
			rejected: by_reason(&|r| r.rejected.as_ref()),
			retried: {
				let mut map = BTreeMap::new();
				for (reason, times) in records.iter().flat_map(|r| r.retried.iter()) {
					*map.entry(reason.clone()).or_insert(0) += *times as usize;
				}
				map
			},
			invalid: by_reason(&|r| r.invalid.as_ref()),
			failed: by_reason(&|r| r.failed.as_ref()),
			submitting_s: window.as_secs_f64(),
			submitted_per_s: per_second(sent, window),
			included_per_s: sustained(records.iter().filter_map(|r| r.in_block), window),
			finalized_per_s: sustained(records.iter().filter_map(|r| r.finalized), window),
			included_series: included_series.counts().to_vec(),
			finalized_series: finalized_series.counts().to_vec(),
			inclusion_latency: Latencies::of(inclusion),
			finality_latency: Latencies::of(finality),
			pool_peak: outcome.pool.iter().copied().max().unwrap_or(0),
			pool_mean: mean(outcome.pool.iter().map(|&n| n as f64)),
			node: Usage::of(&outcome.node),
			generator: Usage::of(&outcome.generator),
			finalized_blocks_per_min: blocks_per_minute(&outcome.blocks),
			blocks_with_ours: in_blocks.len(),
			most_per_block: in_blocks.iter().map(|b| b.ours).max().unwrap_or(0),
			mean_per_block: mean(in_blocks.iter().map(|b| b.ours as f64)),
			blocks: outcome.blocks.len(),
			per_extrinsic,
			session_blocks,
		}
	}

	/// The report as a few lines for a person.
	pub fn text(&self) -> String {
		let ms = |v: Option<u64>| v.map_or("-".to_owned(), |v| format!("{v}"));
		let lat = |l: &Latencies| {
			format!("p50 {} / p95 {} / p99 {} ms", ms(l.p50_ms), ms(l.p95_ms), ms(l.p99_ms))
		};
		let reasons = |map: &BTreeMap<String, usize>| {
			if map.is_empty() {
				"none".to_owned()
			} else {
				map.iter().map(|(k, v)| format!("{v} x {k}")).collect::<Vec<_>>().join("; ")
			}
		};
		let mut text = format!(
			"{}: sent {} of {} in {:.1} s ({:.0}/s); accepted {}, included {}, finalized {} ({} succeeded), lost {}\n",
			self.workload, self.sent, self.planned, self.submitting_s, self.submitted_per_s,
			self.accepted, self.included, self.finalized, self.succeeded, self.lost
		);
		text += &format!(
			"  sustained: {:.0} included/s, {:.0} finalized/s; per block: up to {}, mean {:.0} over {} blocks\n",
			self.included_per_s, self.finalized_per_s, self.most_per_block, self.mean_per_block, self.blocks_with_ours
		);
		use crate::workload::Workload;
		let per = self.per_extrinsic;
		let batched = match self.workload.as_str() {
			name if name == Workload::PlaceOrders.name() => Some(("orders", "placed", per)),
			name if name == Workload::SignedDeals.name() => Some(("deals", "opened", per)),
			_ => None,
		};
		if let Some((what, done, per)) = batched {
			text += &format!(
				"  {what}: {} {done}, {:.0}/s included, {:.0}/s finalized ({per} per extrinsic)\n",
				self.succeeded * per,
				self.included_per_s * per as f64,
				self.finalized_per_s * per as f64
			);
		}
		text += &format!(
			"  finalized blocks: {:.1} a minute (sessions of {} blocks)\n",
			self.finalized_blocks_per_min, self.session_blocks
		);
		text += &format!(
			"  to inclusion: {}; to finality: {}\n",
			lat(&self.inclusion_latency),
			lat(&self.finality_latency)
		);
		if let Some(generator) = &self.generator {
			text += &format!(
				"  sonm-load itself: CPU mean {:.0} %, RSS peak {:.0} MiB\n",
				generator.cpu_mean_percent, generator.rss_peak_mib
			);
		}
		text += &format!("  pool (ours): peak {}, mean {:.0}\n", self.pool_peak, self.pool_mean);
		if let Some(node) = &self.node {
			text += &format!(
				"  node: CPU mean {:.0} %, peak {:.0} % (of one core); RSS {:.0} MiB at the end, peak {:.0} MiB\n",
				node.cpu_mean_percent, node.cpu_peak_percent, node.rss_end_mib, node.rss_peak_mib
			);
		}
		text += &format!(
			"  rejected: {}\n  answered busy or already held: {}\n  invalid: {}\n  failed: {}\n",
			reasons(&self.rejected),
			reasons(&self.retried),
			reasons(&self.invalid),
			reasons(&self.failed)
		);
		text
	}
}

/// Blocks per minute between the first and the last block the follower read.
fn blocks_per_minute(blocks: &[BlockSeen]) -> f64 {
	match (blocks.first(), blocks.last()) {
		(Some(first), Some(last)) if last.seen > first.seen => {
			(last.number - first.number) as f64 * 60.0 / (last.seen - first.seen).as_secs_f64()
		},
		_ => 0.0,
	}
}

fn per_second(count: usize, window: Duration) -> f64 {
	if window.is_zero() {
		0.0
	} else {
		count as f64 / window.as_secs_f64()
	}
}

/// Events per second over `window` from the first of `times`.
pub fn sustained(times: impl Iterator<Item = Duration>, window: Duration) -> f64 {
	let mut times: Vec<Duration> = times.collect();
	let Some(first) = times.iter().min().copied() else { return 0.0 };
	times.retain(|t| *t <= first + window);
	per_second(times.len(), window)
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
	let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
	if n == 0 {
		0.0
	} else {
		sum / n as f64
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn at(ms: u64) -> Option<Duration> {
		Some(Duration::from_millis(ms))
	}

	#[test]
	fn a_report_counts_every_fate() {
		let records = vec![
			// Finalized and succeeded, 2 s to inclusion, 6 s to finality.
			Record {
				submitted: at(0),
				in_block: at(2_000),
				finalized: at(6_000),
				block: Some(3),
				..Default::default()
			},
			// Finalized with a failed dispatch.
			Record {
				submitted: at(100),
				in_block: at(2_100),
				finalized: at(6_100),
				failed: Some("Market.OrderNotFound".into()),
				..Default::default()
			},
			// Refused at submission.
			Record {
				submitted: at(200),
				rejected: Some("1010 Invalid Transaction: Stale".into()),
				..Default::default()
			},
			// Accepted, then dropped (after being refused twice for a full pool).
			Record {
				submitted: at(300),
				invalid: Some("dropped".into()),
				retried: BTreeMap::from([("1016 Immediately Dropped".to_owned(), 2)]),
				..Default::default()
			},
			// Accepted and never heard of again: lost.
			Record { submitted: at(400), ..Default::default() },
			// In a block, not finalized before the end.
			Record { submitted: at(500), in_block: at(3_500), ..Default::default() },
			// Never sent (the run's time ran out).
			Record::default(),
		];
		let blocks = vec![
			BlockSeen { number: 3, extrinsics: 3, ours: 2, seen: Duration::from_secs(6) },
			BlockSeen { number: 4, extrinsics: 1, ours: 0, seen: Duration::from_secs(8) },
		];
		let outcome = Outcome {
			records,
			submitting: Duration::from_secs(2),
			pool: vec![0, 4, 2],
			node: Vec::new(),
			generator: Vec::new(),
			blocks,
		};
		let report = Report::of("place-order", "ws://127.0.0.1:9944", 1_800, (7, 1), &outcome);
		assert_eq!((report.sent, report.accepted, report.included, report.finalized), (6, 5, 3, 2));
		assert_eq!((report.succeeded, report.lost), (1, 1));
		assert_eq!(
			report.rejected,
			BTreeMap::from([("1010 Invalid Transaction: Stale".to_owned(), 1)])
		);
		assert_eq!(report.invalid, BTreeMap::from([("dropped".to_owned(), 1)]));
		assert_eq!(report.retried, BTreeMap::from([("1016 Immediately Dropped".to_owned(), 2)]));
		assert_eq!(report.failed, BTreeMap::from([("Market.OrderNotFound".to_owned(), 1)]));
		assert_eq!(report.submitted_per_s, 3.0);
		// Inclusions at 2.0, 2.1, 3.5 s: all three within 2 s of the first.
		assert_eq!(report.included_per_s, 1.5);
		assert_eq!(report.finalized_per_s, 1.0);
		assert_eq!(report.included_series, vec![0, 0, 2, 1]);
		assert_eq!(report.inclusion_latency.p50_ms, Some(2_000));
		assert_eq!(report.inclusion_latency.p99_ms, Some(3_000));
		assert_eq!(report.finality_latency.p50_ms, Some(6_000));
		assert_eq!((report.pool_peak, report.pool_mean), (4, 2.0));
		assert_eq!(report.finalized_blocks_per_min, 30.0);
		assert_eq!(
			(report.blocks_with_ours, report.most_per_block, report.mean_per_block, report.blocks),
			(1, 2, 2.0, 2)
		);
		assert!(report.text().contains("lost 1"), "{}", report.text());
	}

	#[test]
	fn the_sustained_rate_starts_at_the_first_event() {
		let times = [5_000, 5_500, 6_000, 7_000, 7_001, 9_000].map(Duration::from_millis);
		// Window of 2 s from 5.0 s: 5.0, 5.5, 6.0 and 7.0 count.
		assert_eq!(sustained(times.into_iter(), Duration::from_secs(2)), 2.0);
		assert_eq!(sustained(std::iter::empty(), Duration::from_secs(2)), 0.0);
	}
}
