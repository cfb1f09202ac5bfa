//! `sonm-bridge token` (also `sonm token`): a holder's side of the gateway.
//!
//! - `deposit`: approve and `payIn` on Ethereum with the holder's Ethereum key, then follow the
//!   deposit through the masternodes' attestations to the mint on the sidechain.
//! - `withdraw`: burn on the sidechain, follow the masternodes' signatures, then the payout on
//!   Ethereum (relayed by the gateway, or by the holder with `--relay`).
//! - `status`: the gateway's state on both sides.
//!
//! Every wait prints a progress line whenever something changes.

use crate::{
	chain::{ws_url, Chain},
	ethereum::Ethereum,
	gateway::signature_of,
};
use alloy::primitives::Address;
use sonm_client::{
	eth_key::{address_hex, parse_address},
	runtime, AccountId32, Client, EthKey,
};
use sonm_primitives::gatekeeper::{DepositStatus, EthSignature};
use std::{
	str::FromStr,
	time::{Duration, Instant},
};

#[derive(clap::Subcommand, Debug)]
pub enum TokenCommand {
	/// Locks SNM on Ethereum for a sidechain account and waits until it is minted there.
	Deposit {
		/// How much, e.g. `12.5` or `12.5 SNM`.
		amount: String,
		/// The sidechain account (SS58) to mint to.
		#[arg(long)]
		to: String,
		#[command(flatten)]
		endpoints: Endpoints,
		/// The Ethereum key that holds the SNM and pays gas (secret URI or 0x-hex).
		#[arg(long, env = "SONM_ETH_SURI")]
		eth_suri: String,
		/// Minutes to wait for the mint.
		#[arg(long, default_value_t = 30)]
		timeout: u64,
	},
	/// Burns SNM on the sidechain and waits until it is paid on Ethereum.
	Withdraw {
		/// How much leaves your account, e.g. `10` (the flat fee is taken from it).
		amount: String,
		/// The Ethereum address to pay.
		#[arg(long)]
		to: String,
		#[command(flatten)]
		endpoints: Endpoints,
		/// Your sidechain key (secret URI).
		#[arg(long, env = "SONM_SURI")]
		suri: String,
		/// Relay `payOut` yourself with this Ethereum key once signed, instead of waiting for
		/// a gateway to.
		#[arg(long, env = "SONM_ETH_SURI")]
		relay_with: Option<String>,
		/// Minutes to wait for the payout.
		#[arg(long, default_value_t = 30)]
		timeout: u64,
	},
	/// The gateway's state: the contract, caps, totals, signer set and pause.
	Status {
		#[command(flatten)]
		endpoints: Endpoints,
	},
}

#[derive(clap::Args, Debug)]
pub struct Endpoints {
	/// The sidechain node.
	#[arg(long, env = "SONM_URL", default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The Ethereum node.
	#[arg(long, env = "SONM_ETH_URL", default_value = "http://127.0.0.1:8545")]
	eth_url: String,
}

/// An SNM amount in base units: `12.5` or `12.5 SNM`, more than zero.
fn amount(text: &str) -> Result<u128, String> {
	match sonm_client::units::parse_snm(text) {
		Ok(0) => Err(format!("{text:?} is not a positive SNM amount")),
		Ok(amount) => Ok(amount),
		Err(error) => Err(error.to_string()),
	}
}

fn progress(started: Instant, what: &str) {
	println!("[{:>5.1}s] {what}", started.elapsed().as_secs_f64());
}

/// The contract the chain names.
async fn contract(client: &Client) -> Result<Address, String> {
	let state = client.gatekeeper_state().await.map_err(|e| e.to_string())?;
	let address = state.gatekeeper.ok_or("the chain names no gatekeeper contract")?;
	Ok(parse_address(&address)?.into())
}

pub async fn run(command: TokenCommand) -> Result<(), String> {
	match command {
		TokenCommand::Deposit { amount: text, to, endpoints, eth_suri, timeout } => {
			let amount = amount(&text)?;
			let recipient =
				AccountId32::from_str(&to).map_err(|e| format!("--to {to:?}: {e:?}"))?;
			let client =
				Client::connect(&ws_url(&endpoints.url)).await.map_err(|e| e.to_string())?;
			let key = EthKey::from_uri(&eth_suri).map_err(|e| format!("--eth-suri: {e}"))?;
			let eth = Ethereum::connect(&endpoints.eth_url, key.secret(), contract(&client).await?)
				.await?;
			let started = Instant::now();
			progress(
				started,
				&format!(
					"approving and locking {text} from {} for {to}",
					address_hex(&key.address())
				),
			);
			let paid = eth.pay_in(amount, recipient.0).await?;
			let tx = format!("0x{}", hex::encode(paid.key.tx_hash));
			progress(
				started,
				&format!(
					"locked in Ethereum block {} (deposit {tx}:{})",
					paid.block, paid.key.log_index
				),
			);
			let deadline = started + Duration::from_secs(timeout * 60);
			let mut last = String::new();
			loop {
				let head = eth.head().await?;
				let seen =
					client.deposit(&tx, paid.key.log_index).await.map_err(|e| e.to_string())?;
				let now = match &seen {
					Some(d) => format!("{} ({} attestation(s))", d.status, d.attesters.len()),
					None => format!("waiting for confirmations ({} so far)", head + 1 - paid.block),
				};
				if now != last {
					progress(started, &now);
					last = now;
				}
				if seen.is_some_and(|d| d.status == DepositStatus::Minted) {
					println!("minted {text} to {to}");
					return Ok(());
				}
				if Instant::now() > deadline {
					return Err(format!(
						"not minted within {timeout} min; `sonm token status` shows the gateway"
					));
				}
				tokio::time::sleep(Duration::from_secs(1)).await;
			}
		},
		TokenCommand::Withdraw { amount: text, to, endpoints, suri, relay_with, timeout } => {
			let amount = amount(&text)?;
			let to_address = parse_address(&to)?;
			let chain = Chain::connect(&endpoints.url, &suri).await?;
			let started = Instant::now();
			progress(started, &format!("burning {text} from {} for {to}", chain.account()));
			let included = chain
				.submit(&runtime::tx().gatekeeper().withdraw(amount, to_address))
				.await
				.map_err(|e| e.to_string())?;
			let id = included
				.find::<runtime::gatekeeper::events::WithdrawalRequested>()
				.map(|event| event.id)
				.ok_or("the chain reported no withdrawal")?;
			progress(
				started,
				&format!(
					"withdrawal {id} in block #{}; waiting for the masternodes' signatures",
					included.block_number
				),
			);
			let relayer = match relay_with {
				Some(suri) => {
					Some(EthKey::from_uri(&suri).map_err(|e| format!("--relay-with: {e}"))?)
				},
				None => None,
			};
			let eth_key = relayer
				.clone()
				.unwrap_or_else(|| EthKey::from_uri("//sonm-token-reader").expect("a valid URI"));
			let eth = Ethereum::connect(
				&endpoints.eth_url,
				eth_key.secret(),
				contract(&chain.client).await?,
			)
			.await?;
			let deadline = started + Duration::from_secs(timeout * 60);
			let mut last = String::new();
			loop {
				let w = chain.client.withdrawals(id, 1).await.map_err(|e| e.to_string())?;
				let w = w.into_iter().next().ok_or("the withdrawal is gone")?;
				if eth.used(id).await? {
					match eth.paid_out_in(id).await? {
						Some(tx) => println!(
							"paid {} base units to {to} on Ethereum (withdrawal {id}, transaction 0x{})",
							w.amount,
							hex::encode(tx)
						),
						// A large payout is committed first and released after the delay.
						None => println!("withdrawal {id} of {} base units to {to} committed on Ethereum: released after the contract's delay", w.amount),
					}
					return Ok(());
				}
				let now = format!(
					"{} signature(s) of set {}{}",
					w.signatures.len(),
					w.set_id,
					if w.complete { ", complete" } else { "" }
				);
				if now != last {
					progress(started, &now);
					last = now;
				}
				if w.complete && relayer.is_some() {
					let signatures: Vec<EthSignature> = w
						.signatures
						.iter()
						.map(|s| signature_of(&s.signature))
						.collect::<Result<_, _>>()?;
					let amount = w.amount;
					match eth.pay_out(id, to_address, amount, w.set_id, &signatures).await {
						Ok(hash) => {
							progress(started, &format!("relayed payOut: 0x{}", hex::encode(hash)))
						},
						Err(error) => progress(started, &format!("payOut refused: {error}")),
					}
				}
				if Instant::now() > deadline {
					return Err(format!("not paid within {timeout} min"));
				}
				tokio::time::sleep(Duration::from_secs(1)).await;
			}
		},
		TokenCommand::Status { endpoints } => {
			let client =
				Client::connect(&ws_url(&endpoints.url)).await.map_err(|e| e.to_string())?;
			let state = client.gatekeeper_state().await.map_err(|e| e.to_string())?;
			println!("{}", serde_json::to_string_pretty(&state).expect("serializes"));
			let set = client.signer_set(None).await.map_err(|e| e.to_string())?;
			println!("{}", serde_json::to_string_pretty(&set).expect("serializes"));
			let reader = EthKey::from_uri("//sonm-token-reader").expect("a valid URI");
			let eth =
				Ethereum::connect(&endpoints.eth_url, reader.secret(), contract(&client).await?)
					.await?;
			let token = eth.token().await?;
			let locked = token
				.balanceOf(*eth.gatekeeper.address())
				.call()
				.await
				.map_err(|e| e.to_string())?;
			println!(
				"Ethereum: set {}, {}, {locked} base units locked",
				eth.set_id().await?,
				if eth.paused().await? { "paused" } else { "running" }
			);
			Ok(())
		},
	}
}
