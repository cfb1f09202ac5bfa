//! Dispatches the command line: runs the node or one of its subcommands.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	runtime_cache, service, testnet,
};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sonm_runtime::opaque::Block;

/// The trie cache a node keeps unless `--trie-cache-size` says otherwise: 256 MiB, a quarter
/// of sc-cli's default, which alone could take a gigabyte; the hot keys of a block (accounts,
/// the book's shelves, the fee pot) fit in a fraction of this. With it (and two malloc
/// arenas, `main`) a dev node ran ten minutes of the mixed market over a 100,000-order book
/// inside a 1 GiB memory limit (docs/BENCHMARKS.md, "Memory").
pub const TRIE_CACHE_BYTES: usize = 256 * 1024 * 1024;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"SONM Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/sonm-io/sidechain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2017
	}

	/// sc-cli's set-up of the command line, with this node's own default for the trie cache
	/// ([`TRIE_CACHE_BYTES`]).
	fn setup_command(cmd: clap::Command) -> clap::Command {
		cmd.name(Self::executable_name())
			.version(format!("{}\n", Self::impl_version()))
			.author(Self::author())
			.about(Self::description())
			.long_about(Self::description())
			.after_help(format!("Support: {}", Self::support_url()))
			.propagate_version(true)
			.args_conflicts_with_subcommands(true)
			.subcommand_negates_reqs(true)
			.mut_arg("trie_cache_size", |arg| arg.default_value(TRIE_CACHE_BYTES.to_string()))
	}

	/// `dev` and `local` are built in (their genesis from the runtime cache when the node has
	/// one: `--runtime-cache`); anything else is a path to a chain spec JSON file.
	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		chain_spec_by_id(id, true)
	}
}

/// The chain spec `id` names; `cached`: a built-in chain's from the runtime cache, if the node
/// has one (`export-chain-spec` asks without, to print the spec as built, not as raw genesis).
fn chain_spec_by_id(id: &str, cached: bool) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	let built_in = |name: &str, build: fn() -> Result<chain_spec::ChainSpec, String>| {
		if cached {
			runtime_cache::built_in_spec(name, chain_spec::wasm_binary()?, build)
		} else {
			build()
		}
	};
	Ok(match id {
		"dev" => Box::new(built_in("dev", chain_spec::development_chain_spec)?),
		"" | "local" => Box::new(built_in("local", chain_spec::local_chain_spec)?),
		"testnet" => {
			return Err("--chain testnet takes its operators' genesis file: --chain \
			            testnet:FILE (docs/MASTERNODES.md)"
				.into())
		},
		id if id.starts_with("testnet:") => {
			Box::new(testnet::GenesisFile::read(&id["testnet:".len()..])?.chain_spec()?)
		},
		path => Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?),
	})
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();
	if let Some(dir) = &cli.runtime_cache {
		runtime_cache::set(dir.clone());
	}

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => cmd.run(chain_spec_by_id(&cmd.chain, false)?),
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => crate::benchmarking::run(&cli, cmd),
		#[cfg(not(feature = "runtime-benchmarks"))]
		Some(Subcommand::Benchmark(_)) => Err("this sonm-node was built without the benchmarks: \
			build one with `cargo build --release -p sonm-node --features runtime-benchmarks` \
			(scripts/benchmark-pallets.sh does)"
			.into()),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		None => {
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<
							Block,
							<Block as sp_runtime::traits::Block>::Hash,
						>,
					>(config)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(config)
							.map_err(sc_cli::Error::Service)
					},
				}
			})
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_trie_cache_is_the_nodes_own_default_unless_given() {
		let cache = |args: &[&str]| {
			let cli = Cli::try_from_iter(args.iter().copied()).expect("arguments parse");
			cli.run.import_params.trie_cache_size
		};
		assert_eq!(cache(&["sonm-node", "--dev"]), TRIE_CACHE_BYTES);
		assert_eq!(cache(&["sonm-node", "--dev", "--trie-cache-size", "1000"]), 1000);
	}
}
