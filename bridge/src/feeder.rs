//! `sonm-bridge feed`: reads SNM prices from configurable HTTP JSON sources, takes their median
//! and feeds it to the chain's oracle with the masternode's key, every interval, with retries
//! and a log line for every step.

use crate::{
	chain,
	error::{BridgeError, BridgeResult},
	metrics::Metrics,
	sources::{self, Quote, Source},
};
use sonm_service::Shutdown;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct FeedArgs {
	/// The node's JSON-RPC endpoint (HTTP).
	#[arg(long, env = "SONM_URL", default_value = "http://127.0.0.1:9944")]
	pub url: String,
	/// The masternode's account key: a secret URI (`//Alice`, a mnemonic, `0x` seed).
	#[arg(long, env = "SONM_SURI")]
	pub suri: String,
	/// A source quoting SNM per USD: `URL#/json/pointer`. Repeatable.
	#[arg(long = "source")]
	pub sources: Vec<Source>,
	/// A source quoting USD per SNM (inverted before use): `URL#/json/pointer`. Repeatable.
	#[arg(long = "source-usd-per-snm", value_parser = parse_inverse)]
	pub inverse_sources: Vec<Source>,
	/// Seconds between two feeds (the chain takes one a minute at most).
	#[arg(long, default_value_t = 60)]
	pub interval: u64,
	/// Feed once and exit (non-zero when no price could be fed).
	#[arg(long)]
	pub once: bool,
}

fn parse_inverse(spec: &str) -> Result<Source, sources::SourceError> {
	Source::parse(spec, Quote::UnitPerSnm)
}

/// How many times a source or the chain is tried before a round gives up on it.
const ATTEMPTS: u32 = 3;

pub async fn feed(args: FeedArgs, metrics: Metrics, stop: Shutdown) -> BridgeResult<()> {
	let sources: Vec<Source> = args.sources.into_iter().chain(args.inverse_sources).collect();
	if sources.is_empty() {
		return Err(BridgeError::Input(
			"no price source: give --source or --source-usd-per-snm".into(),
		));
	}
	let chain = chain::Chain::connect(&args.url, &args.suri).await?;
	log::info!("feeding as {} to {} from {} source(s)", chain.account(), args.url, sources.len());
	let http = reqwest::Client::builder()
		.timeout(Duration::from_secs(10))
		.build()
		.map_err(|err| BridgeError::Feed(format!("HTTP client: {err}")))?;
	loop {
		let fed = feed_round(&http, &chain, &sources).await;
		match &fed {
			Ok(()) => {
				metrics.prices_fed.inc();
				metrics.round_done();
			},
			Err(_) => metrics.errors.inc(),
		}
		if args.once {
			return fed;
		}
		if let Err(err) = fed {
			log::error!("{err}; trying again in {} s", args.interval);
		}
		if !stop.sleep(Duration::from_secs(args.interval)).await {
			log::info!("stopped after the round");
			return Ok(());
		}
	}
}

/// Reads every source, feeds their median, and waits for it to be in a block.
async fn feed_round(
	http: &reqwest::Client,
	chain: &chain::Chain,
	sources: &[Source],
) -> BridgeResult<()> {
	let mut prices = Vec::new();
	for source in sources {
		match read_source(http, source).await {
			Ok(price) => {
				log::info!("{}: {} SNM base units per USD", source.url, price);
				prices.push(price);
			},
			Err(err) => log::warn!("{}: {err}", source.url),
		}
	}
	let price = sonm_primitives::median::median(prices)
		.ok_or_else(|| BridgeError::Feed("no source answered with a price".into()))?;
	let mut last = String::new();
	for attempt in 1..=ATTEMPTS {
		match chain.feed_usd(price).await {
			Ok(block) => {
				log::info!("fed {price} SNM base units per USD, in block {block}");
				return Ok(());
			},
			Err(err) => {
				log::warn!("feeding failed (attempt {attempt} of {ATTEMPTS}): {err}");
				last = err.to_string();
				tokio::time::sleep(backoff(attempt)).await;
			},
		}
	}
	Err(BridgeError::Feed(format!("could not feed the price: {last}")))
}

/// `source`'s price, tried [`ATTEMPTS`] times.
async fn read_source(http: &reqwest::Client, source: &Source) -> BridgeResult<u128> {
	let mut last = String::new();
	for attempt in 1..=ATTEMPTS {
		let answer = async {
			let response = http.get(&source.url).send().await.map_err(|err| err.to_string())?;
			let status = response.status();
			if !status.is_success() {
				return Err(format!("HTTP {status}"));
			}
			let body = response.bytes().await.map_err(|err| err.to_string())?;
			serde_json::from_slice::<serde_json::Value>(&body)
				.map_err(|err| format!("not JSON: {err}"))
		};
		match answer.await {
			// A well-formed answer without a price will not improve on a retry.
			Ok(json) => {
				return source.price_in(&json).map_err(|err| BridgeError::Feed(err.to_string()))
			},
			Err(err) => {
				last = err;
				if attempt < ATTEMPTS {
					tokio::time::sleep(backoff(attempt)).await;
				}
			},
		}
	}
	Err(BridgeError::Feed(last))
}

/// 1, 2, 4 ... seconds.
fn backoff(attempt: u32) -> Duration {
	Duration::from_secs(1 << (attempt - 1).min(5))
}
