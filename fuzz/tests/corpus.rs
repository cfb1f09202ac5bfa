//! The fuzzers' corpora (fuzz/corpus/<target>), replayed in the ordinary debug build: every
//! input that once reached new coverage runs again through the same harness, with every
//! pallet's `try_state` and the balance sum checked after each call. This keeps what the long
//! libFuzzer runs found in the test suite without the instrumented release build, which only
//! `scripts/fuzz.sh` (real fuzzing) needs.

use std::{
	path::{Path, PathBuf},
	sync::atomic::{AtomicUsize, Ordering},
};

/// The inputs of one target's corpus, in name order.
fn corpus(target: &str) -> Vec<PathBuf> {
	let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
	let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
		.unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
		.map(|entry| entry.expect("a corpus entry reads").path())
		.filter(|path| path.is_file())
		.collect();
	files.sort();
	assert!(!files.is_empty(), "{} holds no inputs", dir.display());
	files
}

/// Runs `replay` over every input of `target`'s corpus on as many threads as there are cores,
/// printing a count every 250 inputs; a panic names the input that caused it.
fn replay_all(target: &str, replay: fn(&[u8])) {
	let files = corpus(target);
	let next = AtomicUsize::new(0);
	let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
	std::thread::scope(|scope| {
		for _ in 0..threads {
			scope.spawn(|| loop {
				let index = next.fetch_add(1, Ordering::Relaxed);
				let Some(path) = files.get(index) else { break };
				let data = std::fs::read(path).expect("a corpus input reads");
				let outcome = std::panic::catch_unwind(|| replay(&data));
				if let Err(cause) = outcome {
					let cause = cause
						.downcast_ref::<String>()
						.cloned()
						.or_else(|| cause.downcast_ref::<&str>().map(|s| s.to_string()))
						.unwrap_or_default();
					panic!("{target}: {} fails: {cause}", path.display());
				}
				if (index + 1).is_multiple_of(250) {
					eprintln!("{target}: {} of {} inputs replayed", index + 1, files.len());
				}
			});
		}
	});
	eprintln!("{target}: all {} inputs replayed", files.len());
}

#[test]
fn runtime_calls_corpus_replays_without_a_broken_invariant() {
	replay_all("runtime_calls", |data| {
		sonm_fuzz::run(data);
	});
	assert!(sonm_fuzz::CALLS.load(Ordering::Relaxed) > 0, "the corpus made no call");
}

#[test]
fn extrinsic_decode_corpus_replays_without_a_panic() {
	replay_all("extrinsic_decode", sonm_fuzz::extrinsic::check);
}

#[test]
fn the_invariant_checks_catch_planted_faults() {
	sonm_fuzz::self_test().expect("every planted fault is caught");
}
