//! Call sequences against the whole runtime; see `sonm_fuzz::run`.
#![no_main]

use std::sync::atomic::Ordering;

libfuzzer_sys::fuzz_target!(
	init: {
		sonm_fuzz::self_test_if_asked();
		sonm_fuzz::write_seeds_if_asked(sonm_fuzz::call_seeds);
	},
	|data: &[u8]| {
		let before = sonm_fuzz::CALLS.load(Ordering::Relaxed);
		sonm_fuzz::run(data);
		sonm_fuzz::report_progress(before);
	}
);
