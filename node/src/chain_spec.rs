//! Chain specifications of the chains the node knows by name. Genesis state comes from the
//! runtime's presets (`sonm_runtime::genesis_config_presets`); the node adds only the chain's
//! name, id, type and token properties.

use sc_service::ChainType;
use sonm_runtime::SNM_DECIMALS;
use sonm_runtime_wasm::WASM_BINARY;

/// A chain spec of the SONM runtime.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The properties wallets read to show balances (SNM with 18 decimals, generic SS58 prefix),
/// and who is root on the chain (`root`: `council`, or `sudo and council` on a one-person
/// development chain).
pub fn properties(root: &str) -> sc_service::Properties {
	let mut properties = sc_service::Properties::new();
	properties.insert("root".into(), root.into());
	properties.insert("tokenSymbol".into(), "SNM".into());
	properties.insert("tokenDecimals".into(), SNM_DECIMALS.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

/// The runtime's wasm the node was built with.
pub fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime wasm binary is not available: build without SKIP_WASM_BUILD".into()
	})
}

/// `--dev`: one validator (Alice), blocks every two seconds.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, Default::default())
		.with_name("SONM Development")
		.with_id("sonm_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties("sudo and council"))
		.build())
}

/// `--chain local`: four validators (Alice, Bob, Charlie, Dave) on one machine.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, Default::default())
		.with_name("SONM Local Testnet")
		.with_id("sonm_local_testnet")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties("council"))
		.build())
}
