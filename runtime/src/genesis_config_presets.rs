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
//! come from the session, not from Aura's and GRANDPA's own genesis) and use sessions of
//! [`DEV_SESSION_LENGTH`] blocks.
//!
//! SNM on a production chain exists only as the bridged image of SNM locked on Ethereum; the
//! endowments here exist only on development and test chains (docs/ARCHITECTURE.md, "Token,
//! units and time").

use crate::{
	configs::{market::FeePot, masternodes::DEV_SESSION_LENGTH},
	opaque::SessionKeys,
	AccountId, BalancesConfig, MasternodesConfig, RuntimeGenesisConfig, SessionConfig, SudoConfig,
	EXISTENTIAL_DEPOSIT, SNM,
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

/// A genesis masternode: its account and session keys.
type Authority = (AccountId, AuraId, GrandpaId);

/// The genesis state: `authorities` are masternodes that author blocks (Aura) and vote on
/// finality (GRANDPA), `endowed` accounts receive [`DEV_ENDOWMENT`] each, `root` holds sudo.
/// The market's fee pot, which is also the masternodes' reward pot, exists from the start
/// (with the existential deposit), so that fees below that minimum can be paid into it.
fn testnet_genesis(authorities: Vec<Authority>, endowed: Vec<AccountId>, root: AccountId) -> Value {
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
				.map(|(account, _, _)| (account.clone(), GENESIS_STAKE))
				.collect::<Vec<_>>(),
			session_length: Some(DEV_SESSION_LENGTH),
		},
		session: SessionConfig {
			keys: authorities
				.iter()
				.map(|(account, aura, grandpa)| {
					let keys = SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() };
					(account.clone(), account.clone(), keys)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// A well-known development account as a masternode, with its dev session keys.
fn dev_authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Authority {
	(sr.to_account_id(), sr.public().into(), ed.public().into())
}

/// The well-known development accounts (Alice to Ferdie, and their `//stash` accounts).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: a single-authority chain with Alice as author, finality voter and root.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave as authorities; Alice is root.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			dev_authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
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
