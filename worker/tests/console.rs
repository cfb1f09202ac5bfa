//! The web console in a real browser: a real `sonm-node --dev`, a real `sonm-worker` selling a
//! plan and running tasks on a real podman API service, a real `sonm-indexer` on SQLite, and the
//! console's production build (web/dist) served to Debian's Chromium, which playwright-core
//! drives through web/e2e/console.e2e.ts: the order book shows the worker's asks, a bad form
//! value is refused by name with nothing signed, Bob places a matching bid from the form and
//! the worker opens the deal, Bob starts its task from the page, its logs follow live and an
//! exec answers, an expired session key is refused by name, Bob closes the deal blacklisting
//! the supplier and sees the refund and the deal in his history. Screenshots of every page land
//! in `$CARGO_TARGET_DIR/console-screenshots`.
//!
//! Needs `npm ci` and `npm run build` in web/ (scripts/test.sh does both) and
//! /usr/bin/chromium (scripts/setup.sh installs it).

mod support;

use sonm_test_support::indexer::IndexerProcess;
use std::{path::Path, process::Command};
use support::{
	free_port, tasks_section, wait_for, worker_config, workspace_bin, Chain, Podman, WorkerProcess,
};

const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const IMAGE: &str = "localhost/sonm-test-busybox:1";

#[test]
fn a_customer_buys_runs_and_closes_from_the_web_console() {
	let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
	assert!(
		web.join("dist/index.html").is_file() && web.join("node_modules").is_dir(),
		"the console is not built: run `npm ci && npm run build` in web/ (scripts/test.sh does)"
	);
	let podman = Podman::start();
	podman.import_busybox(IMAGE);
	let chain = Chain::start();
	let console_port = free_port();
	let control = free_port();
	let cors = format!("cors_origins = [\"http://127.0.0.1:{console_port}\"]\n");
	let (tasks, _) = tasks_section(&podman, control, IMAGE, &cors);
	let plans =
		"[[plans]]\nname = \"box\"\ncpu_cores = 1\nram = \"64 MiB\"\nstorage = \"32 MiB\"\n\
	             price = \"0.36 SNM/h\"\nduration = \"1h\"\nnetflags = [\"outbound\"]\n";
	let config = worker_config(&chain, "charlie", "//Charlie", "", &format!("{plans}{tasks}"));
	let _worker = WorkerProcess::start(chain.dir.path(), "charlie", &config);
	wait_for("the worker's ask", || (chain.asks_of(CHARLIE).len() == 1).then_some(()));
	let db = format!("sqlite://{}", chain.dir.path().join("indexer.sqlite").display());
	let indexer = IndexerProcess::start(
		&workspace_bin("sonm-indexer"),
		chain.dir.path(),
		"indexer",
		&chain.url(),
		&db,
		&[],
	);

	let artifacts = workspace_bin("sonm-node").parent().unwrap().join("../console-screenshots");
	let status = Command::new("npm")
		.args(["run", "e2e"])
		.current_dir(&web)
		.env("SONM_E2E_NODE", chain.url())
		.env("SONM_E2E_INDEXER", &indexer.url)
		.env("SONM_E2E_WORKER", CHARLIE)
		.env("SONM_E2E_WORKER_URL", format!("http://127.0.0.1:{control}"))
		.env("SONM_E2E_IMAGE", IMAGE)
		.env("SONM_E2E_CONSOLE_PORT", console_port.to_string())
		.env("SONM_E2E_ARTIFACTS", &artifacts)
		.status()
		.expect("npm runs");
	assert!(status.success(), "the browser tests failed (screenshots in {})", artifacts.display());
	for page in ["book", "place-refused", "place", "mine", "task", "history", "deal", "supplier"] {
		assert!(artifacts.join(format!("{page}.png")).is_file(), "no screenshot of {page}");
	}
}
