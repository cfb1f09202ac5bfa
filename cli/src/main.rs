//! `sonm`: the SONM sidechain's command-line client. See `sonm --help`.

use clap::Parser;

#[tokio::main]
async fn main() {
	let cli = sonm_cli::args::Cli::parse();
	std::process::exit(sonm_cli::run(cli).await);
}
