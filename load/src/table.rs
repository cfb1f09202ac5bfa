//! A Markdown table of saved reports (`--json`), one row per run, for docs/BENCHMARKS.md, and
//! for runs repeated in rounds (`scripts/bench.sh` with `ROUNDS`) the medians of each workload.
//!
//! A run is named by its file (without `.json`): `<network>-<workload>`, with `-r<N>` for the
//! N-th round. Each run's rate is set beside the transfers of its own sitting (the run named
//! alike with `transfer` for its workload): T, the measure that holds on any machine; and so is
//! the node's CPU for each order or deal, beside what it spent on each of those transfers.

use serde_json::Value;
use std::path::PathBuf;

/// The table of the reports in `paths`, in that order, and below it the medians of every run
/// repeated in rounds.
pub fn markdown(paths: &[PathBuf]) -> Result<String, String> {
	let mut runs = Vec::with_capacity(paths.len());
	for path in paths {
		let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
		let report: Value =
			serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
		let sitting = path.parent().map(PathBuf::from).unwrap_or_default();
		runs.push(Run { name: name_of(path), sitting, report });
	}
	let mut table = String::from(
		"| run | sent/s | included/s | finalized/s | most per block | to inclusion p50/p95/p99 (ms) | to finality p50/p95/p99 (ms) | lost | blocks/min | node CPU % | node RSS MiB | book (orders/deals) | market_orders p50/p99 (ms) | matchingOrders p50/p99 (ms) | session (blocks) | orders or deals/s | of T | node CPU ms each | of a transfer's |\n\
		 | --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
	);
	for run in &runs {
		table += &row(run, &runs);
	}
	table += &medians(&runs);
	Ok(table)
}

/// One saved report, the name of its run and its sitting (the folder that holds it: rounds of
/// several sittings give one median, each run beside its own sitting's transfers).
struct Run {
	name: String,
	sitting: PathBuf,
	report: Value,
}

impl Run {
	fn workload(&self) -> &str {
		self.report["workload"].as_str().unwrap_or_default()
	}

	/// Orders placed or deals opened (or transfers) a second: included extrinsics times what
	/// each carries.
	fn items_per_second(&self) -> Option<f64> {
		let per = self.report["per_extrinsic"].as_u64().unwrap_or(1) as f64;
		self.report["included_per_s"].as_f64().map(|rate| rate * per)
	}

	/// The node's CPU for each order, deal or transfer, in milliseconds.
	fn cpu_ms_each(&self) -> Option<f64> {
		let percent = self.report["node"]["cpu_mean_percent"].as_f64()?;
		let items = self.items_per_second().filter(|rate| *rate > 0.0)?;
		Some(percent * 10.0 / items)
	}

	/// The run's name without its round: what the rounds of one measurement share.
	fn measurement(&self) -> &str {
		match self.name.rsplit_once("-r") {
			Some((stem, round))
				if !round.is_empty() && round.bytes().all(|b| b.is_ascii_digit()) =>
			{
				stem
			},
			_ => &self.name,
		}
	}
}

/// The transfers of `run`'s round and sitting, where `runs` holds them (none for transfers).
fn transfers_beside<'a>(run: &Run, runs: &'a [Run]) -> Option<&'a Run> {
	let workload = run.workload();
	if workload.is_empty() || workload == TRANSFER {
		return None;
	}
	let partner = run.name.replacen(workload, TRANSFER, 1);
	runs.iter().find(|r| r.name == partner && r.sitting == run.sitting)
}

/// `run`'s rate over the transfers of its sitting, where `runs` holds them.
fn of_transfers(run: &Run, runs: &[Run]) -> Option<f64> {
	let transfers = transfers_beside(run, runs)?.items_per_second()?;
	Some(run.items_per_second()? / transfers).filter(|ratio| ratio.is_finite())
}

/// The node's CPU for each of `run`'s orders or deals over what it spent on each transfer of
/// its sitting, where `runs` holds them.
fn cpu_of_a_transfers(run: &Run, runs: &[Run]) -> Option<f64> {
	let transfer = transfers_beside(run, runs)?.cpu_ms_each()?;
	Some(run.cpu_ms_each()? / transfer).filter(|ratio| ratio.is_finite())
}

/// The transfer workload's name: T.
const TRANSFER: &str = "transfer";

/// The medians of every measurement run in more than one round: its rate, its ratio to its
/// sittings' transfers (with the least and the most) and the node's CPU for each.
fn medians(runs: &[Run]) -> String {
	let mut names: Vec<&str> = Vec::new();
	for run in runs {
		if !names.contains(&run.measurement()) {
			names.push(run.measurement());
		}
	}
	let mut text = String::new();
	for name in names {
		let rounds: Vec<&Run> = runs.iter().filter(|r| r.measurement() == name).collect();
		if rounds.len() < 2 {
			continue;
		}
		if text.is_empty() {
			text += "\n| measurement | rounds | orders or deals/s (median) | of T: median (least-most) | node CPU ms each (median) | of a transfer's: median (least-most) |\n\
			         | --- | ---: | ---: | --- | ---: | --- |\n";
		}
		let rates: Vec<f64> = rounds.iter().filter_map(|r| r.items_per_second()).collect();
		let ratios: Vec<f64> = rounds.iter().filter_map(|r| of_transfers(r, runs)).collect();
		let cpu: Vec<f64> = rounds.iter().filter_map(|r| r.cpu_ms_each()).collect();
		let cpu_ratios: Vec<f64> =
			rounds.iter().filter_map(|r| cpu_of_a_transfers(r, runs)).collect();
		text += &format!(
			"| {name} | {} | {} | {} | {} | {} |\n",
			rounds.len(),
			fixed(median(&rates), 0),
			spread(&ratios),
			fixed(median(&cpu), 2),
			spread(&cpu_ratios),
		);
	}
	text
}

/// The middle value (the mean of the middle two for an even count); none of nothing.
fn median(values: &[f64]) -> Option<f64> {
	let mut sorted = values.to_vec();
	sorted.sort_by(f64::total_cmp);
	let n = sorted.len();
	match n {
		0 => None,
		_ if n % 2 == 1 => Some(sorted[n / 2]),
		_ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
	}
}

/// The median with the least and the most, or "-" of nothing.
fn spread(values: &[f64]) -> String {
	match (median(values), least_most(values)) {
		(Some(mid), Some((least, most))) => format!("{mid:.2} ({least:.2}-{most:.2})"),
		_ => "-".to_owned(),
	}
}

fn least_most(values: &[f64]) -> Option<(f64, f64)> {
	let least = values.iter().copied().min_by(f64::total_cmp)?;
	let most = values.iter().copied().max_by(f64::total_cmp)?;
	Some((least, most))
}

fn fixed(value: Option<f64>, digits: usize) -> String {
	value.map_or("-".to_owned(), |v| format!("{v:.digits$}"))
}

fn name_of(path: &std::path::Path) -> String {
	path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `run`'s row, set beside its sitting's transfers where `runs` holds them.
fn row(run: &Run, runs: &[Run]) -> String {
	let (name, r) = (&run.name, &run.report);
	let num = |v: &Value, digits: usize| fixed(v.as_f64(), digits);
	let lat = |l: &Value| {
		let ms = |k: &str| l[k].as_u64().map_or("-".to_owned(), |v| v.to_string());
		format!("{}/{}/{}", ms("p50_ms"), ms("p95_ms"), ms("p99_ms"))
	};
	// Reads are timed to the hundredth of a millisecond (older reports: whole ones).
	let two = |l: &Value| {
		let ms = |k: &str| l[k].as_f64().map_or("-".to_owned(), |v| format!("{v:.2}"));
		format!("{}/{}", ms("p50_ms"), ms("p99_ms"))
	};
	let reads = &r["reads"];
	let book = if reads.is_null() {
		"-".to_owned()
	} else {
		format!("{}/{}", reads["open_orders"], reads["open_deals"])
	};
	format!(
		"| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {book} | {} | {} | {} | {} | {} | {} | {} |\n",
		num(&r["submitted_per_s"], 0),
		num(&r["included_per_s"], 0),
		num(&r["finalized_per_s"], 0),
		r["most_per_block"],
		lat(&r["inclusion_latency"]),
		lat(&r["finality_latency"]),
		r["lost"],
		num(&r["finalized_blocks_per_min"], 1),
		num(&r["node"]["cpu_mean_percent"], 0),
		num(&r["node"]["rss_end_mib"], 0),
		if reads.is_null() { "-".to_owned() } else { two(&reads["ws"]["orders_newest_page"]) },
		if reads.is_null() { "-".to_owned() } else { two(&reads["ws"]["matching_orders"]) },
		// Older reports did not say.
		r["session_blocks"].as_u64().map_or("-".to_owned(), |n| n.to_string()),
		fixed(run.items_per_second(), 0),
		fixed(of_transfers(run, runs), 2),
		fixed(run.cpu_ms_each(), 2),
		fixed(cpu_of_a_transfers(run, runs), 2),
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	fn run(name: &str, report: Value) -> Run {
		Run { name: name.to_owned(), sitting: PathBuf::from("sitting"), report }
	}

	#[test]
	fn a_row_per_report() {
		let report = json!({
			"workload": "bill",
			"submitted_per_s": 1500.4, "included_per_s": 702.2, "finalized_per_s": 700.0,
			"most_per_block": 1402, "lost": 0, "finalized_blocks_per_min": 27.0,
			"inclusion_latency": {"p50_ms": 2000, "p95_ms": 4000, "p99_ms": 5000},
			"finality_latency": {"p50_ms": 7000, "p95_ms": 9000, "p99_ms": 9500},
			"node": {"cpu_mean_percent": 61.2, "rss_end_mib": 530.6},
		});
		assert_eq!(
			row(&run("dev-bill", report.clone()), &[]),
			"| dev-bill | 1500 | 702 | 700 | 1402 | 2000/4000/5000 | 7000/9000/9500 | 0 | 27.0 | 61 | 531 | - | - | - | - | 702 | - | 0.87 | - |\n"
		);
		let with_sessions = json!({ "session_blocks": 1800 });
		assert!(
			row(&run("dev-transfer", with_sessions), &[]).ends_with("| 1800 | - | - | - | - |\n")
		);
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("dev-bill.json");
		std::fs::write(&path, report.to_string()).unwrap();
		let table = markdown(&[path]).unwrap();
		assert_eq!(table.lines().count(), 3, "one run, no medians");
		assert!(table.lines().nth(2).unwrap().starts_with("| dev-bill | 1500 |"));
		assert!(markdown(&[dir.path().join("missing.json")]).is_err());
	}

	fn rated(workload: &str, included_per_s: f64, per_extrinsic: u64, cpu: f64) -> Value {
		json!({
			"workload": workload, "included_per_s": included_per_s,
			"per_extrinsic": per_extrinsic, "node": {"cpu_mean_percent": cpu},
		})
	}

	#[test]
	fn each_run_beside_its_own_sittings_transfers() {
		let runs = [
			run("dev-transfer-r1", rated("transfer", 800.0, 1, 100.0)),
			run("dev-place-order-r1", rated("place-order", 600.0, 1, 120.0)),
			run("dev-place-orders-r1", rated("place-orders", 70.0, 32, 70.0)),
			run("dev-transfer-r2", rated("transfer", 1000.0, 1, 100.0)),
			run("dev-place-order-r2", rated("place-order", 650.0, 1, 130.0)),
			run("local-place-order-r2", rated("place-order", 100.0, 1, 10.0)),
		];
		let ratio = |i: usize| of_transfers(&runs[i], &runs);
		assert_eq!(ratio(0), None, "transfers are T itself");
		assert_eq!(ratio(1), Some(0.75));
		assert_eq!(ratio(2), Some(2.8), "a batch counts its orders");
		assert_eq!(ratio(4), Some(0.65), "the second round's transfers, not the first's");
		assert_eq!(ratio(5), None, "no transfers on that network");
		assert_eq!(runs[1].cpu_ms_each(), Some(2.0));
		assert_eq!(runs[2].cpu_ms_each(), Some(0.3125));
		// A transfer of round 1 cost the node 1.25 ms.
		assert_eq!(cpu_of_a_transfers(&runs[1], &runs), Some(1.6));
		assert_eq!(cpu_of_a_transfers(&runs[2], &runs), Some(0.25));
		assert_eq!(cpu_of_a_transfers(&runs[0], &runs), None, "transfers are the measure");
		assert!(row(&runs[2], &runs).ends_with("| 2240 | 2.80 | 0.31 | 0.25 |\n"));
		assert_eq!(runs[4].measurement(), "dev-place-order");
		assert_eq!(run("dev-place-order", json!({})).measurement(), "dev-place-order");
		assert_eq!(run("dev-transfer-rx", json!({})).measurement(), "dev-transfer-rx");
	}

	#[test]
	fn sittings_share_medians_and_keep_their_own_transfers() {
		let in_sitting = |sitting: &str, name: &str, report: Value| Run {
			sitting: PathBuf::from(sitting),
			..run(name, report)
		};
		let runs = [
			in_sitting("a", "dev-transfer-r1", rated("transfer", 800.0, 1, 100.0)),
			in_sitting("a", "dev-place-order-r1", rated("place-order", 600.0, 1, 100.0)),
			in_sitting("b", "dev-transfer-r1", rated("transfer", 400.0, 1, 100.0)),
			in_sitting("b", "dev-place-order-r1", rated("place-order", 360.0, 1, 100.0)),
		];
		assert_eq!(of_transfers(&runs[1], &runs), Some(0.75));
		assert_eq!(of_transfers(&runs[3], &runs), Some(0.9), "sitting b's own transfers");
		assert!(medians(&runs).contains("| dev-place-order | 2 | 480 | 0.82 (0.75-0.90) |"));
	}

	#[test]
	fn medians_of_rounds() {
		let mut runs = Vec::new();
		for (round, transfers, orders) in [(1, 800.0, 600.0), (2, 1000.0, 650.0), (3, 900.0, 810.0)]
		{
			runs.push(run(
				&format!("dev-transfer-r{round}"),
				rated("transfer", transfers, 1, 100.0),
			));
			runs.push(run(
				&format!("dev-place-order-r{round}"),
				rated("place-order", orders, 1, 130.0),
			));
		}
		runs.push(run("dev-bill", rated("bill", 10.0, 1, 10.0)));
		let table = medians(&runs);
		let lines: Vec<&str> = table.lines().collect();
		assert_eq!(lines.len(), 5, "{table}");
		assert_eq!(lines[3], "| dev-transfer | 3 | 900 | - | 1.11 | - |");
		// Each round's order cost 1.73, 2.00 and 1.44 of that round's transfer.
		assert_eq!(
			lines[4],
			"| dev-place-order | 3 | 650 | 0.75 (0.65-0.90) | 2.00 | 1.73 (1.44-2.00) |"
		);
		assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));

		assert_eq!(median(&[]), None);
		assert_eq!(medians(&runs[..2]), "", "nothing repeated, no medians");
	}
}
