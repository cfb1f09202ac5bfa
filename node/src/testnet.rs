//! The public testnet's chain spec, built from its operators' genesis file
//! (`--chain testnet:FILE`): the masternodes that start the chain (account, session keys,
//! Ethereum key, stake), the balances, the boot nodes. docs/MASTERNODES.md shows the file and
//! the steps from it to the raw spec every operator runs.

use crate::chain_spec::{properties, wasm_binary, ChainSpec};
use sc_service::ChainType;
use serde::Deserialize;
use sonm_runtime::{genesis_config_presets as presets, AccountId, Balance, SNM};
use sp_core::{crypto::Ss58Codec, ed25519, sr25519};

/// The operators' genesis file.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisFile {
	/// The chain's name (default `SONM Testnet`) and id (default `sonm_testnet`); a network
	/// restarted from a new genesis takes a new id.
	#[serde(default)]
	pub name: Option<String>,
	#[serde(default)]
	pub id: Option<String>,
	/// Boot nodes: `/dns/HOST/tcp/PORT/p2p/PEER_ID` (or `/ip4/ADDRESS/...`), a node's public
	/// address with its libp2p peer id (`sonm-node key inspect-node-key`).
	#[serde(default)]
	pub boot_nodes: Vec<String>,
	/// The masternodes at genesis: they author and finalize blocks and are the council.
	pub masternodes: Vec<GenesisMasternode>,
	/// Balances at genesis, in whole SNM; a masternode's covers its stake.
	#[serde(default)]
	pub balances: Vec<GenesisBalance>,
}

/// A masternode at genesis.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisMasternode {
	/// Its account (SS58): it stakes, is paid and votes.
	pub account: String,
	/// Its Aura key (sr25519, SS58): authors blocks.
	pub aura: String,
	/// Its GRANDPA key (ed25519, SS58): votes on finality.
	pub grandpa: String,
	/// The Ethereum address (`0x` and 40 hex digits) of its gateway key.
	pub eth: String,
	/// Its stake in whole SNM, held from its balance.
	pub stake_snm: u64,
}

/// A balance at genesis.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisBalance {
	pub account: String,
	pub snm: u64,
}

/// What is wrong with a genesis file, by name.
fn invalid(message: String) -> String {
	format!("the testnet's genesis file: {message}")
}

fn account(text: &str, what: &str) -> Result<AccountId, String> {
	sr25519::Public::from_ss58check(text)
		.map(AccountId::from)
		.map_err(|e| invalid(format!("{what} `{text}` is not an SS58 address: {e:?}")))
}

fn eth_address(text: &str) -> Result<[u8; 20], String> {
	let bytes = hex::decode(text.trim_start_matches("0x"))
		.ok()
		.filter(|bytes| bytes.len() == 20)
		.ok_or_else(|| invalid(format!("`{text}` is not an Ethereum address (0x, 40 hex)")))?;
	let mut address = [0; 20];
	address.copy_from_slice(&bytes);
	Ok(address)
}

impl GenesisFile {
	/// Reads and parses the file at `path`.
	pub fn read(path: &str) -> Result<Self, String> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| invalid(format!("cannot read {path}: {e}")))?;
		serde_json::from_str(&text).map_err(|e| invalid(format!("{path}: {e}")))
	}

	/// The chain spec: the `testnet` preset's genesis with these masternodes and balances.
	/// Refuses, by name, a file without masternodes, an address or key that does not parse, a
	/// masternode twice, a stake under the minimum or not covered by the balance, and a boot
	/// node without its peer id.
	pub fn chain_spec(&self) -> Result<ChainSpec, String> {
		if self.masternodes.is_empty() {
			return Err(invalid("no masternodes: a chain needs one to author blocks".into()));
		}
		let mut balances = Vec::new();
		for entry in &self.balances {
			let who = account(&entry.account, "a balance's account")?;
			if balances.iter().any(|(seen, _)| *seen == who) {
				return Err(invalid(format!("{} has two balances", entry.account)));
			}
			balances.push((who, Balance::from(entry.snm) * SNM));
		}
		let min_stake = sonm_runtime::configs::masternodes::MinStake::get();
		let mut masternodes: Vec<(presets::Authority, Balance)> = Vec::new();
		for node in &self.masternodes {
			let who = account(&node.account, "a masternode's account")?;
			if masternodes.iter().any(|((seen, ..), _)| *seen == who) {
				return Err(invalid(format!("masternode {} is listed twice", node.account)));
			}
			let aura = sr25519::Public::from_ss58check(&node.aura).map_err(|e| {
				invalid(format!("{}'s aura key is not an sr25519 SS58 key: {e:?}", node.account))
			})?;
			let grandpa = ed25519::Public::from_ss58check(&node.grandpa).map_err(|e| {
				invalid(format!("{}'s grandpa key is not an ed25519 SS58 key: {e:?}", node.account))
			})?;
			let stake = Balance::from(node.stake_snm) * SNM;
			if stake < min_stake {
				return Err(invalid(format!(
					"{} stakes {} SNM; the least is {} SNM",
					node.account,
					node.stake_snm,
					min_stake / SNM
				)));
			}
			let balance = balances.iter().find(|(seen, _)| *seen == who).map(|(_, b)| *b);
			if balance.unwrap_or(0) <= stake {
				return Err(invalid(format!(
					"{}'s balance does not cover its stake of {} SNM (and the fees after it)",
					node.account, node.stake_snm
				)));
			}
			let authority = (who, aura.into(), grandpa.into(), eth_address(&node.eth)?);
			masternodes.push((authority, stake));
		}
		let mut boot_nodes = Vec::new();
		for address in &self.boot_nodes {
			boot_nodes.push(address.parse::<sc_network::config::MultiaddrWithPeerId>().map_err(
				|e| invalid(format!("boot node `{address}`: {e} (/dns/HOST/tcp/PORT/p2p/PEER_ID)")),
			)?);
		}
		let patch = presets::public_testnet_genesis(masternodes, balances);
		Ok(ChainSpec::builder(wasm_binary()?, Default::default())
			.with_name(self.name.as_deref().unwrap_or("SONM Testnet"))
			.with_id(self.id.as_deref().unwrap_or("sonm_testnet"))
			.with_chain_type(ChainType::Live)
			.with_genesis_config_patch(patch)
			.with_boot_nodes(boot_nodes)
			.with_properties(properties("council"))
			.build())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	const ALICE_ED: &str = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu";

	fn file(stake: u64, balance: u64, boot: &str) -> GenesisFile {
		serde_json::from_value(serde_json::json!({
			"bootNodes": [boot],
			"masternodes": [{ "account": ALICE, "aura": ALICE, "grandpa": ALICE_ED,
				"eth": "0xe04cc55ebee1cbce552f250e85c57b70b2e2625b", "stakeSnm": stake }],
			"balances": [{ "account": ALICE, "snm": balance }]
		}))
		.unwrap()
	}

	const BOOT: &str =
		"/dns/boot.sonm.example/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

	#[test]
	fn a_well_formed_file_makes_a_live_chain_without_sudo() {
		let spec = file(20_000, 25_000, BOOT).chain_spec().unwrap();
		let json: serde_json::Value =
			serde_json::from_str(&sc_service::ChainSpec::as_json(&spec, false).unwrap()).unwrap();
		assert_eq!(json["chainType"], "Live");
		assert_eq!(json["properties"]["root"], "council");
		assert_eq!(json["bootNodes"][0], BOOT);
		let genesis = &json["genesis"]["runtimeGenesis"]["patch"];
		assert!(genesis["sudo"]["key"].is_null(), "{genesis}");
		assert_eq!(genesis["masternodes"]["masternodes"][0][0], ALICE);
	}

	#[test]
	fn a_bad_file_is_refused_by_name() {
		let refused = |file: GenesisFile| file.chain_spec().err().unwrap();
		assert!(refused(file(20_000, 20_000, BOOT)).contains("does not cover its stake"));
		assert!(refused(file(10, 25_000, BOOT)).contains("the least is"));
		assert!(
			refused(file(20_000, 25_000, "/dns/boot.sonm.example/tcp/30333")).contains("boot node")
		);
		let mut empty = file(20_000, 25_000, BOOT);
		empty.masternodes.clear();
		assert!(refused(empty).contains("no masternodes"));
	}
}
