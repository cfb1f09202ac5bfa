//! `sonm-bridge gateway`: what each masternode runs beside its node to carry SNM between
//! Ethereum and the sidechain. Every round (a second by default) it
//!
//! 1. checks that the deposits it attested recently are still in the blocks they were in; a
//!    deposit gone in a reorg **halts** attesting (persisted, loud in the log, `/health` 503,
//!    `sonm_bridge_halted` 1) until an operator looks;
//! 2. scans the contract's `PaidIn` events up to the final block (N confirmations or the
//!    `finalized` tag) from where it stopped (a cursor in its database, so that a restart
//!    backfills what it missed) and attests each deposit the chain has not minted;
//! 3. signs the pending signer-set change and every withdrawal of its set it has not signed;
//! 4. relays what has its signatures: `rotate` for an installed set, `payOut` for a complete
//!    withdrawal. The designated relayer (by id, round-robin over the signers) sends at once,
//!    the others only after a grace period, and anyone skips what the contract shows done.
//!
//! The chain and the contract are the truth: who attested, who signed, what was paid is read
//! from them every round, so a `kill -9` anywhere repeats at most a step the chain refuses.

pub mod store;

use crate::{
	chain::Chain,
	error::{BridgeError, BridgeResult},
	ethereum::{Ethereum, Finality},
	metrics::Metrics,
};
use sonm_client::{
	eth_key::{address_hex, parse_address},
	runtime::{
		self, gatekeeper::events::DepositMinted,
		runtime_types::pallet_gatekeeper::pallet::Error as GatekeeperError,
	},
	types::{GatewayState, SignerSet, Withdrawal},
	AccountId32, EthKey, Static,
};
use sonm_primitives::gatekeeper::{
	key_registration_digest, Deposit, DepositKey, DepositStatus, EthAddress, EthSignature,
	EthereumDomain,
};
use sonm_service::Shutdown;
use std::{
	collections::HashMap,
	path::PathBuf,
	time::{Duration, Instant},
};
use store::Store;

/// Blocks scanned for deposits per `eth_getLogs` request.
const SCAN_CHUNK: u64 = 500;
/// How far back (in blocks) attested deposits are checked for reorgs.
const REORG_WINDOW: u64 = 256;

#[derive(clap::Args, Debug)]
pub struct GatewayArgs {
	/// The node's RPC endpoint (`ws://` or `http://`).
	#[arg(long, env = "SONM_URL", default_value = "ws://127.0.0.1:9944")]
	pub url: String,
	/// The masternode's account key (secret URI).
	#[arg(long, env = "SONM_SURI")]
	pub suri: String,
	/// The Ethereum node's JSON-RPC endpoint.
	#[arg(long, env = "SONM_ETH_URL", default_value = "http://127.0.0.1:8545")]
	pub eth_url: String,
	/// The masternode's Ethereum key (secret URI, e.g. `//Alice` on dev chains, or 0x-hex): signs
	/// for the gatekeeper and pays the gas of relayed transactions.
	#[arg(long, env = "SONM_ETH_SURI")]
	pub eth_suri: String,
	/// Confirmations a deposit needs (its own block counts as the first).
	#[arg(long, default_value_t = 12)]
	pub confirmations: u64,
	/// Wait for Ethereum's `finalized` tag instead of counting confirmations.
	#[arg(long)]
	pub finalized: bool,
	/// The first Ethereum block to scan when the database has no cursor (the contract's
	/// deployment block).
	#[arg(long, default_value_t = 0)]
	pub from_block: u64,
	/// The gateway's database (redb).
	#[arg(long, default_value = "sonm-bridge/gateway.redb")]
	pub db: PathBuf,
	/// Milliseconds between rounds.
	#[arg(long, default_value_t = 1000)]
	pub poll_ms: u64,
	/// Seconds a relayer that is not designated waits before relaying itself.
	#[arg(long, default_value_t = 30)]
	pub relay_grace: u64,
	/// Never send Ethereum transactions (sign and attest only).
	#[arg(long)]
	pub no_relay: bool,
}

/// A running gateway.
struct Gateway {
	chain: Chain,
	account: AccountId32,
	key: EthKey,
	eth: Ethereum,
	store: Store,
	metrics: Metrics,
	finality: Finality,
	relay_grace: Duration,
	relay: bool,
	/// Withdrawals below this id are paid on Ethereum.
	paid_below: u64,
	/// Deposits below this index (in attestation order) are minted.
	minted_below: u64,
	/// When a relay first became possible, by what it relays: the grace runs from there.
	ready_since: HashMap<String, Instant>,
	halted: Option<String>,
}

/// Runs the gateway until `stop` is asked for (a round under way is finished first); errors of
/// a round are logged and retried.
pub async fn run(args: GatewayArgs, metrics: Metrics, stop: Shutdown) -> BridgeResult<()> {
	let chain = Chain::connect(&args.url, &args.suri).await?;
	let key = EthKey::from_uri(&args.eth_suri)
		.map_err(|e| BridgeError::Input(format!("--eth-suri: {e}")))?;
	let state = chain.client.gatekeeper_state().await?;
	let contract = state
		.gatekeeper
		.as_deref()
		.ok_or_else(|| BridgeError::unexpected("the chain names no gatekeeper contract yet"))?;
	let contract = parse_address(contract).map_err(BridgeError::Unexpected)?;
	let eth = Ethereum::connect(&args.eth_url, key.secret(), contract.into()).await?;
	let chain_id = eth.chain_id().await?;
	if Some(chain_id) != state.chain_id {
		return Err(BridgeError::Input(format!(
			"{} is chain {chain_id}; the sidechain's gatekeeper is on chain {:?}",
			args.eth_url, state.chain_id
		)));
	}
	let store = Store::open(&args.db)?;
	let halted = store.halted()?;
	if let Some(reason) = &halted {
		log::error!("HALTED (from an earlier run): {reason}; attesting stays stopped");
		metrics.set_halted(reason);
	}
	let account = chain.key.account_id();
	log::info!(
		"gateway of {} with Ethereum key {} on chain {chain_id}, gatekeeper {}, {} deposits attested so far",
		chain.account(),
		address_hex(&key.address()),
		address_hex(&contract),
		store.attested_count()?
	);
	let finality = if args.finalized {
		Finality::Finalized
	} else {
		Finality::Confirmations(args.confirmations)
	};
	if store.scanned()?.is_none() && args.from_block > 0 {
		store.set_scanned(args.from_block - 1)?;
	}
	let mut gateway = Gateway {
		chain,
		account,
		key,
		eth,
		store,
		metrics,
		finality,
		relay_grace: Duration::from_secs(args.relay_grace),
		relay: !args.no_relay,
		paid_below: 0,
		minted_below: 0,
		ready_since: HashMap::new(),
		halted,
	};
	gateway.register_key().await?;
	loop {
		match gateway.round().await {
			Ok(()) => gateway.metrics.round_done(),
			Err(error) => {
				gateway.metrics.errors.inc();
				log::warn!("round failed, retrying: {error}");
			},
		}
		if !stop.sleep(Duration::from_millis(args.poll_ms)).await {
			log::info!("stopped after the round");
			return Ok(());
		}
	}
}

/// The EIP-712 domain the chain names.
fn domain_of(state: &GatewayState) -> BridgeResult<EthereumDomain> {
	let unnamed = || BridgeError::unexpected("no contract named");
	let chain_id = state.chain_id.ok_or_else(unnamed)?;
	let gatekeeper = state.gatekeeper.as_deref().ok_or_else(unnamed)?;
	let gatekeeper = parse_address(gatekeeper).map_err(BridgeError::Unexpected)?;
	let genesis = state.genesis.as_deref().ok_or_else(|| BridgeError::unexpected("no genesis"))?;
	let genesis = hex::decode(genesis.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| bytes.try_into().ok())
		.ok_or_else(|| {
			BridgeError::unexpected(format!("genesis {genesis} is not 32 bytes of hex"))
		})?;
	Ok(EthereumDomain { chain_id, gatekeeper, genesis })
}

/// A signature from the `0x` hex the chain serves.
pub fn signature_of(text: &str) -> BridgeResult<EthSignature> {
	hex::decode(text.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| bytes.try_into().ok())
		.ok_or_else(|| BridgeError::unexpected(format!("{text} is not a 65-byte signature")))
}

fn signers_of(set: &SignerSet) -> BridgeResult<Vec<EthAddress>> {
	set.signers
		.iter()
		.map(|s| parse_address(s).map_err(BridgeError::Unexpected))
		.collect()
}

/// The gatekeeper pallet's error, when the chain refused with one.
fn gatekeeper_error(error: &sonm_client::ClientError) -> Option<&GatekeeperError> {
	match error.runtime_error()? {
		runtime::Error::Gatekeeper(error) => Some(error),
		_ => None,
	}
}

impl Gateway {
	fn me(&self) -> String {
		address_hex(&self.key.address())
	}

	/// Registers the Ethereum key with the chain when it has another one (or none).
	async fn register_key(&self) -> BridgeResult<()> {
		let registered = self.chain.client.eth_key(&self.account.to_string()).await?;
		if registered.as_deref() == Some(self.me().as_str()) {
			return Ok(());
		}
		let digest = key_registration_digest(&self.chain.client.genesis_hash(), &self.account.0);
		let call = runtime::tx()
			.gatekeeper()
			.register_eth_key(self.key.address(), self.key.sign(&digest));
		match self.chain.submit(&call).await {
			Ok(_) => {
				log::info!("registered Ethereum key {} (was {registered:?})", self.me());
				Ok(())
			},
			Err(error)
				if matches!(gatekeeper_error(&error), Some(GatekeeperError::NotMasternode)) =>
			{
				log::warn!("not a registered masternode: the Ethereum key is not registered");
				Ok(())
			},
			Err(error) => Err(BridgeError::step("registering the Ethereum key", error)),
		}
	}

	async fn round(&mut self) -> BridgeResult<()> {
		let state = self.chain.client.gatekeeper_state().await?;
		let domain = domain_of(&state)?;
		// The signers of the set that signs now: who claims and who signs withdrawals.
		let signers = self
			.chain
			.client
			.signer_set(Some(state.current_set))
			.await?
			.map(|set| set.signers)
			.unwrap_or_default();
		if self.halted.is_none() {
			self.check_reorgs().await?;
		}
		if self.halted.is_none() && !state.paused {
			self.attest_deposits().await?;
			self.claim_deferred(&state, &signers).await?;
		}
		self.sign_set_change(&domain).await?;
		if !state.paused {
			self.withdrawals(&domain, &state, &signers).await?;
		}
		if self.relay {
			self.relay_rotations().await?;
		}
		Ok(())
	}

	/// Halts when a recently attested deposit left the block it was in.
	async fn check_reorgs(&mut self) -> BridgeResult<()> {
		let head = self.eth.head().await?;
		for attested in self.store.attested_since(head.saturating_sub(REORG_WINDOW))? {
			let tx_hash: [u8; 32] =
				attested.key[..32].try_into().expect("keys start with the hash");
			if !self.eth.still_in(tx_hash, &attested.block_hash).await? {
				let reason = format!(
					"deposit 0x{}:{} that this masternode attested in Ethereum block {} is no longer there (a reorg deeper than the confirmations); attesting stops",
					hex::encode(tx_hash),
					u32::from_be_bytes(attested.key[32..36].try_into().expect("4 bytes of log index")),
					attested.block
				);
				log::error!("ALARM: {reason}");
				self.store.halt(&reason)?;
				self.metrics.set_halted(&reason);
				self.halted = Some(reason);
				return Ok(());
			}
		}
		Ok(())
	}

	/// Attests the final deposits past the cursor, a chunk at a time.
	async fn attest_deposits(&mut self) -> BridgeResult<()> {
		let Some(last_final) = self.eth.final_block(self.finality).await? else { return Ok(()) };
		let mut scanned = self.store.scanned()?;
		while scanned.is_none_or(|s| s < last_final) {
			let from = scanned.map_or(0, |s| s + 1);
			let to = (from + SCAN_CHUNK - 1).min(last_final);
			let events = self.eth.paid_in(from, to).await?;
			if !events.is_empty() {
				log::info!("blocks {from}..={to}: {} deposit(s)", events.len());
			}
			for event in events {
				let mut key = event.key.tx_hash.to_vec();
				key.extend_from_slice(&event.key.log_index.to_be_bytes());
				let tx_hex = format!("0x{}", hex::encode(event.key.tx_hash));
				let Ok(amount) = u128::try_from(event.amount) else {
					log::error!(
						"deposit {tx_hex}:{} of {} is beyond any SNM amount; skipped",
						event.key.log_index,
						event.amount
					);
					continue;
				};
				let seen = self.chain.client.deposit(&tx_hex, event.key.log_index).await?;
				let mine = self.account.to_string();
				let done = seen.as_ref().is_some_and(|d| {
					d.status == DepositStatus::Minted || d.attesters.contains(&mine)
				});
				if !done {
					let deposit = Deposit {
						key: DepositKey {
							tx_hash: event.key.tx_hash,
							log_index: event.key.log_index,
						},
						recipient: AccountId32(event.recipient),
						amount,
					};
					match self
						.chain
						.submit(&runtime::tx().gatekeeper().attest_deposit(Static(deposit)))
						.await
					{
						Ok(included) => {
							self.metrics.deposits_attested.inc();
							let minted = included.has::<DepositMinted>();
							log::info!(
								"attested deposit {tx_hex}:{} of {amount} to {} in block #{}{}",
								event.key.log_index,
								AccountId32(event.recipient),
								included.block_number,
								if minted { ": minted" } else { "" }
							);
						},
						Err(error)
							if matches!(
								gatekeeper_error(&error),
								Some(GatekeeperError::IsPaused)
							) =>
						{
							return Ok(())
						},
						Err(error)
							if matches!(
								gatekeeper_error(&error),
								Some(GatekeeperError::NotActive)
							) =>
						{
							log::warn!(
								"not in the active set: deposit {tx_hex} left to the others"
							);
						},
						Err(error)
							if matches!(
								gatekeeper_error(&error),
								Some(GatekeeperError::AlreadyMinted)
							) || matches!(
								gatekeeper_error(&error),
								Some(GatekeeperError::AlreadyAttested)
							) => {},
						Err(error)
							if matches!(
								gatekeeper_error(&error),
								Some(GatekeeperError::BelowMinimum)
							) =>
						{
							log::error!("deposit {tx_hex} of {amount} is below the chain's minimum and cannot be minted");
						},
						Err(error) => {
							return Err(BridgeError::step(format!("attesting {tx_hex}"), error))
						},
					}
				}
				self.store.record_attested(&key, event.block, &event.block_hash)?;
			}
			self.store.set_scanned(to)?;
			self.metrics.eth_scanned_block.set(to as i64);
			scanned = Some(to);
		}
		Ok(())
	}

	/// Mints deposits the daily cap deferred, once the day's cap has room for them: the
	/// designated gateway (by the deposit's index over the signers) at once, the others after
	/// the grace.
	async fn claim_deferred(
		&mut self,
		state: &GatewayState,
		signers: &[String],
	) -> BridgeResult<()> {
		let cap = state.daily_mint_cap;
		let mut minted_today = state.minted_today;
		let deposits = self.chain.client.deposits(self.minted_below, 100).await?;
		for deposit in deposits {
			if deposit.status == DepositStatus::Minted {
				if deposit.index == self.minted_below {
					self.minted_below += 1;
				}
				continue;
			}
			if deposit.status != DepositStatus::Approved {
				continue;
			}
			let amount = deposit.amount.unwrap_or(u128::MAX);
			if minted_today.saturating_add(amount) > cap {
				return Ok(());
			}
			if !self.my_turn(format!("claim {}", deposit.index), deposit.index, signers) {
				continue;
			}
			let tx_hash = hex::decode(deposit.tx_hash.trim_start_matches("0x")).map_err(|e| {
				BridgeError::unexpected(format!("transaction hash {}: {e}", deposit.tx_hash))
			})?;
			let key = DepositKey {
				tx_hash: tx_hash
					.try_into()
					.map_err(|_| BridgeError::unexpected("a transaction hash of 32 bytes"))?,
				log_index: deposit.log_index,
			};
			match self.chain.submit(&runtime::tx().gatekeeper().claim_deposit(Static(key))).await {
				Ok(_) => {
					minted_today = minted_today.saturating_add(amount);
					log::info!(
						"claimed deposit {}:{} deferred by the daily cap: minted",
						deposit.tx_hash,
						deposit.log_index
					);
				},
				Err(error)
					if matches!(gatekeeper_error(&error), Some(GatekeeperError::NotApproved))
						|| matches!(
							gatekeeper_error(&error),
							Some(GatekeeperError::DailyMintCapReached)
						) => {},
				Err(error) => {
					return Err(BridgeError::step(
						format!("claiming deposit {}", deposit.tx_hash),
						error,
					))
				},
			}
		}
		Ok(())
	}

	/// Signs the pending signer-set change when this key is in the current set.
	async fn sign_set_change(&mut self, domain: &EthereumDomain) -> BridgeResult<()> {
		let Some(next) = self.chain.client.signer_set(None).await? else {
			return Ok(());
		};
		if next.complete || next.id == 0 {
			return Ok(());
		}
		let current = self.chain.client.signer_set(Some(next.id - 1)).await?;
		let Some(current) = current else { return Ok(()) };
		let me = self.me();
		if !current.signers.contains(&me) || next.signatures.iter().any(|s| s.signer == me) {
			return Ok(());
		}
		let signers = signers_of(&next)?;
		let digest = domain.set_change_digest(next.id, &signers, next.threshold, next.id - 1);
		let call = runtime::tx().gatekeeper().sign_set_change(next.id, self.key.sign(&digest));
		match self.chain.submit(&call).await {
			Ok(_) => {
				self.metrics.set_changes_signed.inc();
				log::info!(
					"signed the change to signer set {} ({} signers)",
					next.id,
					signers.len()
				);
				Ok(())
			},
			Err(error)
				if matches!(gatekeeper_error(&error), Some(GatekeeperError::AlreadySigned))
					|| matches!(gatekeeper_error(&error), Some(GatekeeperError::NoSetChange)) =>
			{
				Ok(())
			},
			Err(error) => Err(BridgeError::step(format!("signing set change {}", next.id), error)),
		}
	}

	/// Signs the withdrawals this key should sign and relays those with their signatures.
	async fn withdrawals(
		&mut self,
		domain: &EthereumDomain,
		state: &GatewayState,
		signers: &[String],
	) -> BridgeResult<()> {
		let list = self.chain.client.withdrawals(self.paid_below, 500).await?;
		if list.is_empty() {
			return Ok(());
		}
		let in_current = signers.contains(&self.me());
		let eth_set = self.eth.set_id().await?;
		for withdrawal in list {
			if self.eth.used(withdrawal.id).await? {
				if withdrawal.id == self.paid_below {
					self.paid_below += 1;
				}
				continue;
			}
			// The contract takes a set's payouts until one set after it.
			let stale =
				withdrawal.complete && withdrawal.set_id + 1 < eth_set.max(state.current_set);
			if (!withdrawal.complete || stale) && in_current {
				self.sign_withdrawal(domain, &withdrawal, state.current_set).await?;
			} else if withdrawal.complete && !stale && withdrawal.set_id <= eth_set && self.relay {
				self.relay_payout(&withdrawal).await?;
			}
		}
		Ok(())
	}

	async fn sign_withdrawal(
		&mut self,
		domain: &EthereumDomain,
		w: &Withdrawal,
		current_set: u64,
	) -> BridgeResult<()> {
		let me = self.me();
		// The pallet moves an incomplete (or stale) withdrawal to the current set first.
		let set_id = if w.set_id < current_set { current_set } else { w.set_id };
		if set_id == w.set_id && w.signatures.iter().any(|s| s.signer == me) {
			return Ok(());
		}
		let to = parse_address(&w.to).map_err(BridgeError::Unexpected)?;
		let amount = w.amount;
		let digest = domain.payout_digest(w.id, &to, amount, set_id);
		let call = runtime::tx().gatekeeper().sign_withdrawal(w.id, self.key.sign(&digest));
		match self.chain.submit(&call).await {
			Ok(_) => {
				self.metrics.withdrawals_signed.inc();
				log::info!("signed withdrawal {} of {amount} to {} for set {set_id}", w.id, w.to);
				Ok(())
			},
			Err(error)
				if matches!(
					gatekeeper_error(&error),
					Some(
						GatekeeperError::AlreadySigned
							| GatekeeperError::AlreadyComplete
							| GatekeeperError::NotSigner
					)
				) =>
			{
				Ok(())
			},
			Err(error) => Err(BridgeError::step(format!("signing withdrawal {}", w.id), error)),
		}
	}

	/// Whether this gateway relays `what` now: at once when designated (`turn` modulo the
	/// signers picks this key), else after the grace from when it first became possible.
	fn my_turn(&mut self, what: String, turn: u64, signers: &[String]) -> bool {
		let designated =
			!signers.is_empty() && signers[(turn % signers.len() as u64) as usize] == self.me();
		let since = *self.ready_since.entry(what).or_insert_with(Instant::now);
		designated || since.elapsed() >= self.relay_grace
	}

	async fn relay_payout(&mut self, w: &Withdrawal) -> BridgeResult<()> {
		let set = self.chain.client.signer_set(Some(w.set_id)).await?;
		let signers = set.map(|s| s.signers).unwrap_or_default();
		if !self.my_turn(format!("payout {}", w.id), w.id, &signers) {
			return Ok(());
		}
		let to = parse_address(&w.to).map_err(BridgeError::Unexpected)?;
		let amount = w.amount;
		let signatures: Vec<EthSignature> = w
			.signatures
			.iter()
			.map(|s| signature_of(&s.signature))
			.collect::<Result<_, _>>()?;
		match self.eth.pay_out(w.id, to, amount, w.set_id, &signatures).await {
			Ok(hash) => {
				self.metrics.payouts_relayed.inc();
				log::info!(
					"paid withdrawal {} of {amount} to {} on Ethereum: 0x{}",
					w.id,
					w.to,
					hex::encode(hash)
				);
				Ok(())
			},
			// Another relayer was first.
			Err(_) if self.eth.used(w.id).await? => Ok(()),
			Err(error) => {
				Err(BridgeError::Contract(format!("relaying withdrawal {}: {error}", w.id)))
			},
		}
	}

	/// Installs on Ethereum each signer set the chain has signatures for.
	async fn relay_rotations(&mut self) -> BridgeResult<()> {
		loop {
			let eth_set = self.eth.set_id().await?;
			let next = self.chain.client.signer_set(Some(eth_set + 1)).await?;
			let Some(next) = next.filter(|set| set.complete) else { return Ok(()) };
			let current = self.chain.client.signer_set(Some(eth_set)).await?;
			let old_signers = current.map(|s| s.signers).unwrap_or_default();
			if !self.my_turn(format!("set {}", next.id), next.id, &old_signers) {
				return Ok(());
			}
			let signers = signers_of(&next)?;
			let signatures: Vec<EthSignature> = next
				.signatures
				.iter()
				.map(|s| signature_of(&s.signature))
				.collect::<Result<_, _>>()?;
			match self.eth.rotate(&signers, next.threshold, &signatures).await {
				Ok(hash) => {
					self.metrics.rotations_relayed.inc();
					log::info!(
						"installed signer set {} on Ethereum: 0x{}",
						next.id,
						hex::encode(hash)
					);
				},
				// Another relayer was first.
				Err(_) if self.eth.set_id().await? >= next.id => {},
				Err(error) => {
					return Err(BridgeError::Contract(format!(
						"relaying signer set {}: {error}",
						next.id
					)))
				},
			}
		}
	}
}
