//! Genesis presets: the initial state of the chains the node knows by name. The node holds no
//! genesis data of its own; `sonm-node --dev` and `--chain local` build their chain specs from
//! these.
//!
//! - `development`: Alice alone is the masternode that authors and finalizes; the well-known
//!   dev accounts are endowed.
//! - `local_testnet`: Alice, Bob, Charlie and Dave are the masternodes, for a four-validator
//!   network on one machine.
//! - `testnet`: the public testnet's template: no sudo, no dev accounts, hour-long sessions;
//!   its masternodes and balances come from the operators' genesis file, which the node reads
//!   (`--chain testnet:FILE`, [`public_testnet_genesis`]).
//!
//! The first two stake [`GENESIS_STAKE`] for each masternode, register its session keys (the authorities
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
pub type Authority = (AccountId, AuraId, GrandpaId, [u8; 20]);

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

/// A chain's genesis: its masternodes (which author blocks with Aura, vote on finality with
/// GRANDPA and are the council), its balances, its sudo key (`development` only: elsewhere root
/// is the council), session length (`None`: the runtime's default, an hour), gateway contract
/// and daily caps. The market's fee pot, which is also the masternodes' reward pot, exists from
/// the start (with the existential deposit), so that fees below that minimum can be paid into
/// it.
pub struct Genesis {
	/// Each masternode with the stake it holds from its balance.
	pub masternodes: Vec<(Authority, crate::Balance)>,
	pub balances: Vec<(AccountId, crate::Balance)>,
	pub sudo: Option<AccountId>,
	pub session_length: Option<crate::BlockNumber>,
	pub gatekeeper: Option<(u64, [u8; 20])>,
	pub daily_cap: crate::Balance,
}

impl Genesis {
	/// The preset's JSON patch.
	pub fn patch(self) -> Value {
		let authorities = || self.masternodes.iter().map(|(authority, _)| authority);
		build_struct_json_patch!(RuntimeGenesisConfig {
			balances: BalancesConfig {
				balances: self
					.balances
					.iter()
					.cloned()
					.chain([(FeePot::get(), EXISTENTIAL_DEPOSIT)])
					.collect(),
			},
			masternodes: MasternodesConfig {
				masternodes: self
					.masternodes
					.iter()
					.map(|((account, ..), stake)| (account.clone(), *stake))
					.collect::<Vec<_>>(),
				session_length: self.session_length,
			},
			session: SessionConfig {
				keys: authorities()
					.map(|(account, aura, grandpa, _)| {
						let keys = SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() };
						(account.clone(), account.clone(), keys)
					})
					.collect::<Vec<_>>(),
			},
			sudo: SudoConfig { key: self.sudo.clone() },
			gatekeeper: GatekeeperConfig {
				contract: self.gatekeeper,
				eth_keys: authorities()
					.map(|(account, _, _, eth)| (account.clone(), *eth))
					.collect::<Vec<_>>(),
				daily_mint_cap: self.daily_cap,
				daily_withdraw_cap: self.daily_cap,
			},
		})
	}
}

/// A development or local chain's genesis: `authorities` are masternodes staking
/// [`GENESIS_STAKE`], the well-known dev accounts hold [`DEV_ENDOWMENT`] each, sessions last
/// [`DEV_SESSION_LENGTH`] blocks and the gateway is the one `scripts/local-testnet.sh` deploys.
fn testnet_genesis(authorities: Vec<Authority>, sudo: Option<AccountId>) -> Value {
	Genesis {
		masternodes: authorities.into_iter().map(|authority| (authority, GENESIS_STAKE)).collect(),
		balances: dev_accounts().into_iter().map(|account| (account, DEV_ENDOWMENT)).collect(),
		sudo,
		session_length: Some(DEV_SESSION_LENGTH),
		gatekeeper: Some(DEV_GATEKEEPER),
		daily_cap: DEV_DAILY_CAP,
	}
	.patch()
}

/// The public testnet's genesis from its operators' genesis file (the node reads it:
/// `--chain testnet:FILE`, docs/MASTERNODES.md): no sudo (root is the council), no dev
/// accounts, hour-long sessions, the gateway unset until the council names its contract, and
/// daily caps of [`TESTNET_DAILY_CAP`].
pub fn public_testnet_genesis(
	masternodes: Vec<(Authority, crate::Balance)>,
	balances: Vec<(AccountId, crate::Balance)>,
) -> Value {
	Genesis {
		masternodes,
		balances,
		sudo: None,
		session_length: None,
		gatekeeper: None,
		daily_cap: TESTNET_DAILY_CAP,
	}
	.patch()
}

/// The public testnet's daily caps at genesis: ten thousand SNM each way (the council raises
/// them).
pub const TESTNET_DAILY_CAP: crate::Balance = 10_000 * SNM;

/// The preset name of the public testnet: its template, with no masternodes (the node fills
/// them in from the genesis file).
pub const TESTNET_PRESET: &str = "testnet";

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
		None,
	)
}

/// The JSON patch of the preset called `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		TESTNET_PRESET => public_testnet_genesis(vec![], vec![]),
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
		PresetId::from(TESTNET_PRESET),
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
	let patch = get_preset(&name.into()).ok_or_else(|| format!("no preset called {name}"))?;
	genesis_storage(serde_json::from_slice(&patch).map_err(|e| e.to_string())?)
}

/// The genesis storage of a genesis `patch` over the default config, as the node builds it.
#[cfg(feature = "std")]
pub fn genesis_storage(patch: Value) -> Result<sp_runtime::Storage, alloc::string::String> {
	use sp_runtime::BuildStorage;
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|e| e.to_string())?;
	merge_patch(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).map_err(|e| e.to_string())?;
	config.build_storage()
}
