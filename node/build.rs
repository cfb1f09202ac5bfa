//! Embeds the git commit and build profile into `sonm-node --version`, and re-runs when the
//! git HEAD moves.

use substrate_build_script_utils::{generate_cargo_keys, rerun_if_git_head_changed};

fn main() {
	generate_cargo_keys();
	rerun_if_git_head_changed();
}
