//! Command-line interface: `sonm-node [run flags]` runs the node; the subcommands manage keys,
//! chain specs, the database and benchmarks.

/// The node's subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management CLI utilities.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export the chain specification.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Sub-commands concerned with benchmarking: pallet weights, block and extrinsic overhead,
	/// storage, machine.
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Benchmarking (pallet weights, overhead, storage, machine): only in a node built with
	/// `--features runtime-benchmarks` (`scripts/benchmark-pallets.sh` builds one).
	#[cfg(not(feature = "runtime-benchmarks"))]
	Benchmark(BenchmarksNotBuilt),

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The arguments of `sonm-node benchmark ...` in a node built without the benchmarks: taken
/// whole, so that the command fails with a message that says how to build one.
#[cfg(not(feature = "runtime-benchmarks"))]
#[derive(Debug, clap::Args)]
pub struct BenchmarksNotBuilt {
	#[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
	pub args: Vec<String>,
}

/// `sonm-node` arguments.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Keep the compiled runtime and the built-in chains' genesis (`--dev`, `--chain local`) in
	/// DIR, so that later starts skip compiling the runtime and building the genesis state
	/// (tens of seconds of CPU on a small machine). Nodes may share one directory.
	#[arg(long, value_name = "DIR", env = "SONM_RUNTIME_CACHE", global = true)]
	pub runtime_cache: Option<std::path::PathBuf>,
}
