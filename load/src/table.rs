//! A Markdown table of saved reports (`--json`), one row per run, for docs/BENCHMARKS.md.

use serde_json::Value;
use std::path::PathBuf;

/// The table of the reports in `paths`, in that order; the file's name (without `.json`)
/// names each row.
pub fn markdown(paths: &[PathBuf]) -> Result<String, String> {
	let mut table = String::from(
		"| run | sent/s | included/s | finalized/s | most per block | to inclusion p50/p95/p99 (ms) | to finality p50/p95/p99 (ms) | lost | blocks/min | node CPU % | node RSS MiB | book (orders/deals) | market_orders p50/p99 (ms) | matchingOrders p50/p99 (ms) | session (blocks) |\n\
		 | --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |\n",
	);
	for path in paths {
		let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
		let report: Value =
			serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
		table += &row(&name_of(path), &report);
	}
	Ok(table)
}

fn name_of(path: &std::path::Path) -> String {
	path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn row(name: &str, r: &Value) -> String {
	let num =
		|v: &Value, digits: usize| v.as_f64().map_or("-".to_owned(), |f| format!("{f:.digits$}"));
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
		"| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {book} | {} | {} | {} |\n",
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
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	#[test]
	fn a_row_per_report() {
		let report = json!({
			"submitted_per_s": 1500.4, "included_per_s": 702.2, "finalized_per_s": 700.0,
			"most_per_block": 1402, "lost": 0, "finalized_blocks_per_min": 27.0,
			"inclusion_latency": {"p50_ms": 2000, "p95_ms": 4000, "p99_ms": 5000},
			"finality_latency": {"p50_ms": 7000, "p95_ms": 9000, "p99_ms": 9500},
			"node": {"cpu_mean_percent": 61.2, "rss_end_mib": 530.6},
		});
		assert_eq!(
			row("dev-place-order", &report),
			"| dev-place-order | 1500 | 702 | 700 | 1402 | 2000/4000/5000 | 7000/9000/9500 | 0 | 27.0 | 61 | 531 | - | - | - | - |\n"
		);
		let with_sessions = json!({ "session_blocks": 1800 });
		assert!(row("dev-transfer", &with_sessions).ends_with("| 1800 |\n"));
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("dev-bill.json");
		std::fs::write(&path, report.to_string()).unwrap();
		let table = markdown(&[path]).unwrap();
		assert_eq!(table.lines().count(), 3);
		assert!(table.lines().nth(2).unwrap().starts_with("| dev-bill | 1500 |"));
		assert!(markdown(&[dir.path().join("missing.json")]).is_err());
	}
}
