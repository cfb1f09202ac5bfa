//! Support for the node's end-to-end tests: start real `sonm-node` processes on free loopback
//! ports in temporary directories, talk to them over JSON-RPC, and build signed extrinsics the
//! way a wallet does. A [`NodeProcess`] stops its process (by PID) when dropped, also when the
//! test fails; its log is printed on failure.

#![allow(dead_code)]

use codec::{Decode, Encode};
use jsonrpsee::{
	core::{client::ClientT, params::ArrayParams},
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde_json::Value;
use sonm_runtime::{AccountId, Balance, Hash, Nonce, Runtime, RuntimeCall, RuntimeEvent};
use sp_core::H256;
use sp_io::hashing::twox_128;
use sp_keyring::Sr25519Keyring;
use sp_runtime::generic::Era;
use std::{path::Path, time::Duration};

/// The `sonm-node` binary cargo built for these tests.
pub const NODE_BIN: &str = env!("CARGO_BIN_EXE_sonm-node");

#[allow(unused_imports)] // each test binary uses a part of the kit
pub use sonm_test_support::{free_port, Node, PATIENCE};

/// A `sonm-node` process of the test kit ([`sonm_test_support::Node`]) with a runtime-typed
/// JSON-RPC client of it.
pub struct NodeProcess {
	node: Node,
	pub rpc: Rpc,
}

impl NodeProcess {
	/// Starts `sonm-node` with `args` on free ports, `base_path` as its database directory and
	/// its log in `base_path/../<name>.log`.
	pub fn start(name: &str, base_path: &Path, args: &[&str]) -> Self {
		Self::start_on_ports(name, base_path, args, free_port(), free_port())
	}

	/// As [`NodeProcess::start`], asking for the given ports (the RPC port is the one the node
	/// announces: another when `rpc_port` was taken meanwhile).
	pub fn start_on_ports(
		name: &str,
		base_path: &Path,
		args: &[&str],
		rpc_port: u16,
		p2p_port: u16,
	) -> Self {
		let log = base_path.with_file_name(format!("{name}.log"));
		let bin = Path::new(NODE_BIN);
		Self::from(Node::start_at(bin, name, base_path, &log, args, rpc_port, p2p_port))
	}
}

impl From<Node> for NodeProcess {
	fn from(node: Node) -> Self {
		let rpc = Rpc::new(node.rpc_port);
		Self { node, rpc }
	}
}

impl std::ops::Deref for NodeProcess {
	type Target = Node;

	fn deref(&self) -> &Node {
		&self.node
	}
}

impl std::ops::DerefMut for NodeProcess {
	fn deref_mut(&mut self) -> &mut Node {
		&mut self.node
	}
}

/// A network of `--chain local` nodes in `dir`, one per `(name, role)`
/// ([`sonm_test_support::network`]).
pub fn local_network(dir: &Path, nodes: &[(&str, &str)]) -> Vec<NodeProcess> {
	sonm_test_support::network(Path::new(NODE_BIN), dir, nodes)
		.into_iter()
		.map(NodeProcess::from)
		.collect()
}

pub use sonm_test_support::wait_for;

/// A JSON-RPC client of one node.
#[derive(Clone)]
pub struct Rpc {
	client: std::sync::Arc<HttpClient>,
}

/// Parses a `0x`-prefixed hex string.
fn from_hex(value: &str) -> Vec<u8> {
	hex::decode(value.trim_start_matches("0x")).expect("the node returns valid hex")
}

/// A `0x`-prefixed hex string.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

impl Rpc {
	pub fn new(port: u16) -> Self {
		let client = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(30))
			.build(format!("http://127.0.0.1:{port}"))
			.expect("a valid URL");
		Self { client: client.into() }
	}

	/// A raw call; `Err` holds the node's error message.
	pub async fn call(&self, method: &str, params: ArrayParams) -> Result<Value, String> {
		self.client.request::<Value, _>(method, params).await.map_err(|e| e.to_string())
	}

	/// The number and hash of the best block, or `None` while the node does not answer.
	pub async fn best(&self) -> Option<(u32, H256)> {
		let header = self.call("chain_getHeader", rpc_params![]).await.ok()?;
		let number = header_number(&header);
		let hash = self.block_hash(number).await?;
		Some((number, hash))
	}

	/// The number of the last finalized block, or `None` while the node does not answer.
	pub async fn finalized_number(&self) -> Option<u32> {
		let hash = self.call("chain_getFinalizedHead", rpc_params![]).await.ok()?;
		let header = self.call("chain_getHeader", rpc_params![hash]).await.ok()?;
		Some(header_number(&header))
	}

	/// The hash of block `number` on the best chain.
	pub async fn block_hash(&self, number: u32) -> Option<H256> {
		let hash = self.call("chain_getBlockHash", rpc_params![number]).await.ok()?;
		hash.as_str().map(|h| H256::from_slice(&from_hex(h)))
	}

	/// The encoded extrinsics of block `hash`.
	pub async fn block_extrinsics(&self, hash: H256) -> Vec<String> {
		let block = self.call("chain_getBlock", rpc_params![hash]).await.expect("block exists");
		block["block"]["extrinsics"]
			.as_array()
			.expect("a block has extrinsics")
			.iter()
			.map(|e| e.as_str().expect("hex").to_string())
			.collect()
	}

	/// The raw value of storage `key` at block `at` (the best block when `None`).
	pub async fn storage(&self, key: &[u8], at: Option<H256>) -> Option<Vec<u8>> {
		let value = self
			.call("state_getStorage", rpc_params![to_hex(key), at])
			.await
			.expect("storage");
		value.as_str().map(from_hex)
	}

	/// Calls runtime API function `method` (e.g. `ContractsApi_get_storage`) with SCALE `args`.
	pub async fn runtime_call(&self, method: &str, args: &[u8]) -> Vec<u8> {
		let value = self
			.call("state_call", rpc_params![method, to_hex(args)])
			.await
			.expect("runtime call succeeds");
		from_hex(value.as_str().expect("hex"))
	}

	/// The genesis hash.
	pub async fn genesis_hash(&self) -> H256 {
		self.block_hash(0).await.expect("genesis exists")
	}

	/// The next nonce of `who`, counting transactions in the pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Nonce {
		let value = self
			.call("system_accountNextIndex", rpc_params![who.to_string()])
			.await
			.expect("nonce");
		value.as_u64().expect("a number") as Nonce
	}

	/// The events of block `at`.
	pub async fn events(&self, at: H256) -> Vec<frame_system::EventRecord<RuntimeEvent, Hash>> {
		// `frame_system::Events` is private; its key is the pallet and item name hashes.
		let key = [twox_128(b"System"), twox_128(b"Events")].concat();
		let raw = self.storage(&key, Some(at)).await.unwrap_or_default();
		if raw.is_empty() {
			return Vec::new();
		}
		Decode::decode(&mut &raw[..]).expect("events decode with the runtime's types")
	}

	/// The free balance of `who` at the best block.
	pub async fn free_balance(&self, who: &AccountId) -> Balance {
		self.free_balance_at(who, None).await
	}

	/// The free balance of `who` at block `at` (the best block when `None`).
	pub async fn free_balance_at(&self, who: &AccountId, at: Option<H256>) -> Balance {
		let key = frame_system::Account::<Runtime>::hashed_key_for(who);
		let raw = self.storage(&key, at).await.expect("the account exists");
		let info =
			frame_system::AccountInfo::<Nonce, pallet_balances::AccountData<Balance>>::decode(
				&mut &raw[..],
			)
			.expect("account info decodes");
		info.data.free
	}

	/// The time block `at` was authored at, in whole seconds (what the market counts).
	pub async fn timestamp_secs(&self, at: H256) -> u64 {
		let key = [twox_128(b"Timestamp"), twox_128(b"Now")].concat();
		let raw = self.storage(&key, Some(at)).await.expect("every block has a timestamp");
		u64::decode(&mut &raw[..]).expect("milliseconds") / 1_000
	}

	/// Signs `call` by `signer` with its next nonce, submits it and waits for its block on the
	/// best chain; returns that block's hash and the events of that extrinsic.
	pub async fn submit_call(
		&self,
		signer: Sr25519Keyring,
		call: RuntimeCall,
	) -> (H256, Vec<RuntimeEvent>) {
		let nonce = self.next_nonce(&signer.to_account_id()).await;
		let genesis = self.genesis_hash().await;
		let (after, _) = self.best().await.expect("best block");
		let extrinsic = signed_extrinsic(signer, nonce, call, genesis);
		let block = self.submit_and_wait(&extrinsic, after).await;
		let index = self
			.block_extrinsics(block)
			.await
			.iter()
			.position(|xt| *xt == to_hex(&extrinsic))
			.expect("the block holds the extrinsic") as u32;
		let events = self
			.events(block)
			.await
			.into_iter()
			.filter(|record| record.phase == frame_system::Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect();
		(block, events)
	}

	/// Waits until the best block is at least `number`.
	pub async fn wait_for_best(&self, number: u32) -> (u32, H256) {
		wait_for(&format!("best block #{number}"), || async {
			self.best().await.filter(|(n, _)| *n >= number)
		})
		.await
	}

	/// Waits until the finalized block is at least `number`.
	pub async fn wait_for_finalized(&self, number: u32) -> u32 {
		wait_for(&format!("finalized block #{number}"), || async {
			self.finalized_number().await.filter(|n| *n >= number)
		})
		.await
	}

	/// Submits `extrinsic` and waits until a block on the best chain contains it; returns the
	/// hash of that block. Looks at blocks after `after`.
	pub async fn submit_and_wait(&self, extrinsic: &[u8], after: u32) -> H256 {
		let hex = to_hex(extrinsic);
		self.call("author_submitExtrinsic", rpc_params![hex.clone()])
			.await
			.unwrap_or_else(|e| panic!("the node accepts the extrinsic: {e}"));
		let mut next = after + 1;
		wait_for("the extrinsic to be included in a block", || {
			let hex = hex.clone();
			async move {
				let (best, _) = self.best().await?;
				while next <= best {
					let hash = self.block_hash(next).await?;
					if self.block_extrinsics(hash).await.contains(&hex) {
						return Some(hash);
					}
					next += 1;
				}
				None
			}
		})
		.await
	}
}

/// The block number in a JSON header.
fn header_number(header: &Value) -> u32 {
	let number = header["number"].as_str().expect("a header has a number");
	u32::from_str_radix(number.trim_start_matches("0x"), 16).expect("hex block number")
}

/// The fee `who` paid, among `events` (those of one extrinsic, or of a block).
pub fn fee_paid(events: &[RuntimeEvent], who: &AccountId) -> Balance {
	events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid {
					who: payer,
					actual_fee,
					..
				},
			) if payer == who => Some(*actual_fee),
			_ => None,
		})
		.unwrap_or_else(|| panic!("{who} paid a fee: {events:?}"))
}

/// A signed, immortal extrinsic of `call` from `signer` with `nonce`, built and signed exactly
/// as a wallet builds it for this runtime.
pub fn signed_extrinsic(
	signer: Sr25519Keyring,
	nonce: Nonce,
	call: RuntimeCall,
	genesis_hash: H256,
) -> Vec<u8> {
	sonm_runtime::signing::sign_extrinsic(
		call,
		&signer.pair(),
		nonce,
		Era::Immortal,
		genesis_hash,
		genesis_hash,
	)
	.encode()
}

/// The peer id of the node key in `key_file`, as `sonm-node key inspect-node-key` prints it.
#[allow(dead_code)]
pub fn peer_id(key_file: &Path) -> String {
	sonm_test_support::node::peer_id(Path::new(NODE_BIN), key_file)
}

impl Rpc {
	/// As [`Rpc::submit_call`], and panics unless the extrinsic succeeded; returns its events.
	#[allow(dead_code)]
	pub async fn submit_ok(&self, signer: Sr25519Keyring, call: RuntimeCall) -> Vec<RuntimeEvent> {
		let (_, events) = self.submit_call(signer, call).await;
		assert!(
			events.iter().any(|event| matches!(
				event,
				RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { .. })
			)),
			"the extrinsic failed: {events:?}"
		);
		events
	}
}
