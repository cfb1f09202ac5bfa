//! A Wasm contract deployed through pallet-contracts on a running `sonm-node --dev`, called,
//! and its state read back.

mod common;

use codec::{Decode, Encode};
use common::{signed_extrinsic, NodeProcess};
use sonm_runtime::{AccountId, RuntimeCall, RuntimeEvent, SNM};
use sp_keyring::Sr25519Keyring::Alice;
use sp_runtime::Weight;

/// A counter: `deploy` stores 0 under the key "counter"; each `call` adds one, stores it,
/// emits the new value as an event and returns it.
const COUNTER_WAT: &str = include_str!("fixtures/counter.wat");

/// Enough gas for the counter's calls, well under a block.
fn gas_limit() -> Weight {
	Weight::from_parts(100_000_000_000, 1024 * 1024)
}

/// The counter's value, read through the `ContractsApi_get_storage` runtime API.
async fn counter(rpc: &common::Rpc, contract: &AccountId) -> Option<u32> {
	let args = (contract.clone(), b"counter".to_vec()).encode();
	let raw = rpc.runtime_call("ContractsApi_get_storage", &args).await;
	let value = pallet_contracts::GetStorageResult::decode(&mut &raw[..])
		.expect("GetStorageResult decodes")
		.expect("the contract exists");
	value.map(|bytes| u32::decode(&mut &bytes[..]).expect("a u32"))
}

#[tokio::test(flavor = "multi_thread")]
async fn wasm_contract_is_deployed_called_and_changes_its_state() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let node = NodeProcess::start("contracts", &dir.path().join("dev"), &["--dev"]);
	let rpc = node.rpc.clone();
	let (start, _) = rpc.wait_for_best(1).await;
	let genesis = rpc.genesis_hash().await;
	let alice = Alice.to_account_id();

	let code = wat::parse_str(COUNTER_WAT).expect("the fixture is valid WAT");
	let deploy = RuntimeCall::Contracts(pallet_contracts::Call::instantiate_with_code {
		value: 0,
		gas_limit: gas_limit(),
		storage_deposit_limit: Some((10 * SNM).into()),
		code,
		data: vec![],
		salt: vec![1],
	});
	let nonce = rpc.next_nonce(&alice).await;
	let block = rpc
		.submit_and_wait(&signed_extrinsic(Alice, nonce, deploy, genesis), start)
		.await;
	let events = rpc.events(block).await;
	let contract = events
		.iter()
		.find_map(|record| match &record.event {
			RuntimeEvent::Contracts(pallet_contracts::Event::Instantiated {
				deployer,
				contract,
			}) if *deployer == alice => Some(contract.clone()),
			_ => None,
		})
		.unwrap_or_else(|| panic!("the contract was instantiated: {events:?}"));
	assert_eq!(counter(&rpc, &contract).await, Some(0), "deploy stored 0");

	for expected in 1..=2u32 {
		let call = RuntimeCall::Contracts(pallet_contracts::Call::call {
			dest: contract.clone().into(),
			value: 0,
			gas_limit: gas_limit(),
			storage_deposit_limit: None,
			data: vec![],
		});
		let nonce = rpc.next_nonce(&alice).await;
		let (from, _) = rpc.best().await.expect("best block");
		let block = rpc.submit_and_wait(&signed_extrinsic(Alice, nonce, call, genesis), from).await;
		let emitted: Vec<Vec<u8>> = rpc
			.events(block)
			.await
			.into_iter()
			.filter_map(|record| match record.event {
				RuntimeEvent::Contracts(pallet_contracts::Event::ContractEmitted {
					contract: from,
					data,
				}) if from == contract => Some(data),
				_ => None,
			})
			.collect();
		assert_eq!(emitted, vec![expected.encode()], "the call emitted the new value");
		assert_eq!(counter(&rpc, &contract).await, Some(expected), "the call changed the state");
	}
}
