//! Genesis presets: the initial state of the chains the node knows by name. The node holds no
//! genesis data of its own; `sonm-node --dev` and `--chain local` build their chain specs from
//! these.
//!
//! - `development`: Alice alone is the masternode that authors and finalizes; the well-known
//!   dev accounts are endowed.
//! - `local_testnet`: Alice, Bob, Charlie and Dave are the masternodes, for a four-validator
//!   network on one machine.
//!
//! Both stake [`GENESIS_STAKE`] for each masternode, register its session keys (the authorities
//! come from the session, not from Aura's and GRANDPA's own genesis) and its gateway key
//! ([`DEV_ETH_KEYS`], signer set 0), name the gatekeeper where `scripts/local-testnet.sh`
//! deploys it ([`DEV_GATEKEEPER`]) and use sessions of [`DEV_SESSION_LENGTH`] blocks.
//!
//! SNM on a production chain exists only as the bridged image of SNM locked on Ethereum; the
//! endowments here exist only on development and test chains (docs/ARCHITECTURE.md, "Token,
//! units and time").

use crate::{
	configs::{market::FeePot, masternodes::DEV_SESSION_LENGTH},
	opaque::SessionKeys,
	AccountId, BalancesConfig, GatekeeperConfig, MasternodesConfig, RuntimeGenesisConfig,
	SessionConfig, SudoConfig, EXISTENTIAL_DEPOSIT, SNM,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each endowed development account starts with: one million SNM.
pub const DEV_ENDOWMENT: crate::Balance = 1_000_000 * SNM;

/// What each genesis masternode stakes (held from its endowment): 50,000 SNM.
pub const GENESIS_STAKE: crate::Balance = 50_000 * SNM;

/// A genesis masternode: its account, session keys and Ethereum key.
type Authority = (AccountId, AuraId, GrandpaId, [u8; 20]);

/// The Ethereum addresses of the development masternodes' gateway keys: the secp256k1 keys of
/// the dev seeds (`//Alice`, ...), which `sonm-bridge gateway --eth-suri //Alice` signs with
/// (checked by `tests::gatekeeper::dev_eth_keys_are_the_dev_seeds`).
pub const DEV_ETH_KEYS: [(&str, [u8; 20]); 4] = [
	("Alice", hex_literal::hex!("e04cc55ebee1cbce552f250e85c57b70b2e2625b")),
	("Bob", hex_literal::hex!("25451a4de12dccc2d166922fa938e900fcc4ed24")),
	("Charlie", hex_literal::hex!("5630a480727cd7799073b36472d9b1a6031f840b")),
	("Dave", hex_literal::hex!("4bb32a4263e369acbb6c020ffa89a41fd9722894")),
];

/// Where `scripts/local-testnet.sh` deploys the gatekeeper on its anvil (chain id 31337): the
/// second contract anvil's first account creates (the test token is the first).
pub const DEV_GATEKEEPER: (u64, [u8; 20]) =
	(31337, hex_literal::hex!("e7f1725e7734ce288f8367e1bb143e90bb3f0512"));

/// The development chains' daily caps: a million SNM each way.
pub const DEV_DAILY_CAP: crate::Balance = 1_000_000 * SNM;

/// The genesis state: `authorities` are masternodes that author blocks (Aura) and vote on
/// finality (GRANDPA) and are the council, `endowed` accounts receive [`DEV_ENDOWMENT`] each,
/// and `sudo` holds the sudo key where there is one (`development` only: elsewhere root is the
/// council).
/// The market's fee pot, which is also the masternodes' reward pot, exists from the start
/// (with the existential deposit), so that fees below that minimum can be paid into it.
fn testnet_genesis(
	authorities: Vec<Authority>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed
				.iter()
				.cloned()
				.map(|account| (account, DEV_ENDOWMENT))
				.chain([(FeePot::get(), EXISTENTIAL_DEPOSIT)])
				.collect(),
		},
		masternodes: MasternodesConfig {
			masternodes: authorities
				.iter()
				.map(|(account, _, _, _)| (account.clone(), GENESIS_STAKE))
				.collect::<Vec<_>>(),
			session_length: Some(DEV_SESSION_LENGTH),
		},
		session: SessionConfig {
			keys: authorities
				.iter()
				.map(|(account, aura, grandpa, _)| {
					let keys = SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() };
					(account.clone(), account.clone(), keys)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
		gatekeeper: GatekeeperConfig {
			contract: Some(DEV_GATEKEEPER),
			eth_keys: authorities
				.iter()
				.map(|(account, _, _, eth)| (account.clone(), *eth))
				.collect::<Vec<_>>(),
			daily_mint_cap: DEV_DAILY_CAP,
			daily_withdraw_cap: DEV_DAILY_CAP,
		},
	})
}

/// A well-known development account as a masternode, with its dev session and Ethereum keys.
fn dev_authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Authority {
	let name: &str = sr.into();
	let eth = DEV_ETH_KEYS
		.iter()
		.find(|(dev, _)| *dev == name)
		.map(|(_, key)| *key)
		.expect("every genesis masternode has a dev Ethereum key");
	(sr.to_account_id(), sr.public().into(), ed.public().into(), eth)
}

/// The well-known development accounts (Alice to Ferdie, and their `//stash` accounts).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: a single-authority chain with Alice as author, finality voter, council and
/// sudo (a one-person chain).
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave as authorities and council; no sudo: root is a
/// motion of three of the four.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			dev_authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		None,
	)
}

/// The JSON patch of the preset called `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

/// Applies a JSON patch the way the node's chain-spec builder does: objects merge key by key,
/// anything else replaces.
#[cfg(feature = "std")]
fn merge_patch(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge_patch(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The genesis storage of the preset called `name`, built as the node builds it (the preset's
/// patch over the default config): for native tests and the fuzzer.
#[cfg(feature = "std")]
pub fn preset_storage(name: &str) -> Result<sp_runtime::Storage, alloc::string::String> {
	use sp_runtime::BuildStorage;
	let patch = get_preset(&name.into()).ok_or_else(|| format!("no preset called {name}"))?;
	let patch: Value = serde_json::from_slice(&patch).map_err(|e| e.to_string())?;
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|e| e.to_string())?;
	merge_patch(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).map_err(|e| e.to_string())?;
	config.build_storage()
}
