//! `state_check URL [--on-runtime-upgrade]`: every pallet's `try_state` and the balance checks
//! against a running node's finalized state (`sonm_fuzz::live_state`).

// In the libFuzzer build the project's crates carry coverage instrumentation
// (scripts/fuzz-rustc.sh), whose hooks libFuzzer's runtime provides: linked there, though
// nothing is fuzzed. The test suite's debug build has neither.
#[cfg(feature = "libfuzzer")]
use libfuzzer_sys as _;

fn main() {
	sonm_fuzz::live_state::main("state_check");
}
