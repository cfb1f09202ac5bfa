//! `rehearsal_check URL [--on-runtime-upgrade | --broken-migration]`: `state_check` built with
//! the upgrade rehearsal's runtime (`upgrade-rehearsal`): its migration run on a running node's
//! finalized state with try-runtime's checks, or the state checked after a real upgrade to it
//! (`sonm_fuzz::live_state`).

// In the libFuzzer build the project's crates carry coverage instrumentation
// (scripts/fuzz-rustc.sh), whose hooks libFuzzer's runtime provides: linked there, though
// nothing is fuzzed. The test suite's debug build has neither.
#[cfg(feature = "libfuzzer")]
use libfuzzer_sys as _;

fn main() {
	sonm_fuzz::live_state::main("rehearsal_check");
}
