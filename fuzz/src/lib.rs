//! The fuzz harness: the real SONM runtime (every pallet, the `development` genesis preset)
//! driven by a string of bytes, block by block, with real signed extrinsics.
//!
//! An input is read as a sequence of steps ([`Step`]): new blocks with the clock moving (and so
//! sessions rotating), market calls whose ids are picked among the orders and deals that exist,
//! blacklist and oracle calls, and any call of the product's pallets decoded from raw bytes
//! (signed by one of the six dev accounts, or by root where the pallet has governance calls).
//! Signed calls go through `Executive::apply_extrinsic` with their nonce, era, fee and weight
//! checks, as in a block.
//!
//! After every call the harness checks what SPEC-level guarantees say always hold
//! ([`check_invariants`]): every pallet's `try_state` (holds equal what orders and deals account
//! for, issuance equals genesis + minted − burned, ...) and that the accounts' balances add up
//! to the total issuance. A broken invariant panics with the step that broke it, which
//! libFuzzer reports as a crash with its input.

pub mod live_state;

use codec::{Decode, DecodeLimit, Encode};
use frame_support::{
	dispatch::GetDispatchInfo,
	traits::{TryState, TryStateSelect, UnfilteredDispatchable},
};
use pallet_market::{OrderTermsOf, Price, PriceUnit};
use sonm_primitives::{market::Side, Currency, IdentityLevel};
use sonm_runtime::{
	genesis_config_presets, signing::sign_extrinsic, AccountId, AllPalletsWithSystem, Balance,
	Executive, Header, Runtime, RuntimeCall, RuntimeOrigin, SLOT_DURATION,
};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::sr25519;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::{Digest, DigestItem, Era},
	traits::Header as _,
	Storage,
};
use std::sync::{
	atomic::{AtomicU64, Ordering},
	OnceLock,
};

/// Most calls one input may make, so that one execution stays short.
pub const MAX_CALLS_PER_INPUT: usize = 256;
/// The clock at the first block: a realistic unix time, in milliseconds.
const START_MS: u64 = 1_767_225_600_000;
/// Nesting allowed when decoding a raw call.
const CALL_DEPTH: u32 = 8;

/// Calls made across every input of this process (signed or root, whatever their outcome).
pub static CALLS: AtomicU64 = AtomicU64::new(0);
/// Of those, the ones that were included and succeeded.
pub static SUCCEEDED: AtomicU64 = AtomicU64::new(0);
/// Blocks finalized across every input.
pub static BLOCKS: AtomicU64 = AtomicU64::new(0);

/// The genesis state, built once per process.
fn genesis() -> &'static Storage {
	static GENESIS: OnceLock<Storage> = OnceLock::new();
	GENESIS.get_or_init(|| {
		genesis_config_presets::preset_storage("development").expect("the dev preset builds")
	})
}

/// The accounts that sign: the six dev accounts (Alice is the masternode, the sudo key and
/// the oracle's feeder; the others are endowed).
fn signers() -> &'static [(sr25519::Pair, AccountId)] {
	static SIGNERS: OnceLock<Vec<(sr25519::Pair, AccountId)>> = OnceLock::new();
	SIGNERS.get_or_init(|| {
		[
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
			Sr25519Keyring::Eve,
			Sr25519Keyring::Ferdie,
		]
		.into_iter()
		.map(|key| (key.pair(), key.to_account_id()))
		.collect()
	})
}

/// The input, read a few bytes at a time; `None` once it is used up.
pub struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
	fn byte(&mut self) -> Option<u8> {
		let (first, rest) = self.0.split_first()?;
		self.0 = rest;
		Some(*first)
	}

	fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
		(self.0.len() >= n).then(|| {
			let (taken, rest) = self.0.split_at(n);
			self.0 = rest;
			taken
		})
	}

	fn u16(&mut self) -> Option<u16> {
		self.bytes(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
	}

	fn u32(&mut self) -> Option<u32> {
		self.bytes(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
	}

	/// One of `items`, chosen by the next byte.
	fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
		let byte = self.byte()?;
		(!items.is_empty()).then(|| items[byte as usize % items.len()])
	}
}

/// The chain being driven: the block being built and the clock.
struct Chain {
	number: u32,
	now_ms: u64,
	parent: sonm_runtime::Hash,
	genesis_hash: sonm_runtime::Hash,
}

impl Chain {
	fn new() -> Self {
		let genesis_hash = frame_system::BlockHash::<Runtime>::get(0);
		let mut chain = Self { number: 0, now_ms: START_MS, parent: genesis_hash, genesis_hash };
		chain.open_block();
		chain
	}

	/// Starts the next block, as a node would import it: its Aura slot in the digest, all
	/// pallets' `on_initialize` (session rotation among them), then the timestamp inherent.
	fn open_block(&mut self) {
		self.number += 1;
		let slot = Slot::from(self.now_ms / SLOT_DURATION);
		let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
		let header =
			Header::new(self.number, Default::default(), Default::default(), self.parent, digest);
		Executive::initialize_block(&header);
		pallet_timestamp::Call::<Runtime>::set { now: self.now_ms }
			.dispatch_bypass_filter(RuntimeOrigin::none())
			.expect("the clock moves forward by whole slots");
	}

	/// Ends this block (`on_idle`, `on_finalize`) and starts one `slots` slots later.
	fn next_block(&mut self, slots: u64) {
		let header = Executive::finalize_block();
		BLOCKS.fetch_add(1, Ordering::Relaxed);
		self.parent = header.hash();
		self.now_ms += slots.max(1) * SLOT_DURATION;
		self.open_block();
	}

	/// `call` signed by signer `who` with its next nonce, applied as in a block. A block too
	/// full for it is ended and the call tried once in the next.
	fn signed(&mut self, who: usize, call: RuntimeCall) {
		CALLS.fetch_add(1, Ordering::Relaxed);
		for attempt in 0..2 {
			let (pair, account) = &signers()[who % signers().len()];
			let nonce = frame_system::Pallet::<Runtime>::account_nonce(account);
			let extrinsic = sign_extrinsic(
				call.clone(),
				pair,
				nonce,
				Era::Immortal,
				self.genesis_hash,
				self.genesis_hash,
			);
			match Executive::apply_extrinsic(extrinsic) {
				Ok(Ok(_)) => {
					SUCCEEDED.fetch_add(1, Ordering::Relaxed);
					return;
				},
				Ok(Err(_)) => return,
				Err(sp_runtime::transaction_validity::TransactionValidityError::Invalid(
					sp_runtime::transaction_validity::InvalidTransaction::ExhaustsResources,
				)) if attempt == 0 => self.next_block(1),
				Err(_) => return,
			}
		}
	}

	/// `call` with the root origin (governance), for the pallets whose root calls are part of
	/// the product's rules.
	fn root(&mut self, call: RuntimeCall) {
		CALLS.fetch_add(1, Ordering::Relaxed);
		if call.dispatch_bypass_filter(RuntimeOrigin::root()).is_ok() {
			SUCCEEDED.fetch_add(1, Ordering::Relaxed);
		}
	}
}

/// Whether a call belongs to one of the product's pallets.
fn product_call(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::Market(_)
			| RuntimeCall::Blacklist(_)
			| RuntimeCall::Kyc(_)
			| RuntimeCall::Masternodes(_)
			| RuntimeCall::Oracle(_)
			| RuntimeCall::Gatekeeper(_)
	)
}

/// Whether a call decoded from raw bytes may be made with a signed origin: the product's
/// pallets, balances and session keys. Sudo, System, Utility and Contracts are left out:
/// Alice holds the sudo key, and root may rewrite anything, which no invariant survives.
fn signed_call_allowed(call: &RuntimeCall) -> bool {
	product_call(call) || matches!(call, RuntimeCall::Balances(_) | RuntimeCall::Session(_))
}

/// Whether a call decoded from raw bytes may be made with the root origin: the product's
/// pallets, whose root calls (pausing, providers, session length, caps) are governance the
/// invariants must survive.
fn root_call_allowed(call: &RuntimeCall) -> bool {
	product_call(call)
}

/// What one step of an input does.
#[derive(Debug)]
enum Step {
	/// End the block; the next starts 1 to 4 slots later.
	NextBlock,
	/// End the block; the next starts up to 255 minutes later (deals run out, prices age).
	Jump,
	PlaceOrder,
	CancelOrder,
	RemoveExpired,
	OpenDeal,
	QuickBuy,
	Bill,
	CloseDeal,
	Change,
	Workers,
	Blacklist,
	FeedPrice,
	Transfer,
	/// Any call of the allowed pallets, decoded from the input's next bytes.
	RawSigned,
	RawRoot,
}

const STEPS: [Step; 16] = [
	Step::NextBlock,
	Step::Jump,
	Step::PlaceOrder,
	Step::CancelOrder,
	Step::RemoveExpired,
	Step::OpenDeal,
	Step::QuickBuy,
	Step::Bill,
	Step::CloseDeal,
	Step::Change,
	Step::Workers,
	Step::Blacklist,
	Step::FeedPrice,
	Step::Transfer,
	Step::RawSigned,
	Step::RawRoot,
];

/// The ids of the open orders of one side, and of the deals.
fn orders_of(side: Side) -> Vec<u64> {
	pallet_market::Pallet::<Runtime>::open_orders()
		.filter(|(_, order)| order.terms.side == side)
		.map(|(id, _)| id)
		.collect()
}

fn deals() -> Vec<u64> {
	pallet_market::Pallet::<Runtime>::open_deals().map(|(id, _)| id).collect()
}

fn account(input: &mut Input) -> Option<AccountId> {
	let index = input.byte()? as usize % signers().len();
	Some(signers()[index].1.clone())
}

/// Order terms from the input: small prices and benchmarks, so that random pairs match often.
fn terms(input: &mut Input, now_s: u64) -> Option<OrderTermsOf<Runtime>> {
	let flags = input.byte()?;
	let side = if flags & 1 == 0 { Side::Ask } else { Side::Bid };
	let unit = if flags & 2 == 0 { PriceUnit::Snm } else { PriceUnit::Usd };
	let per_second = Balance::from(input.u16()?) * 1_000_000;
	let duration = [0, 0, 60, 600, 3_600, 86_400][input.byte()? as usize % 6];
	let counterparty = if flags & 4 != 0 { Some(account(input)?) } else { None };
	let curator = if flags & 8 != 0 { Some(account(input)?) } else { None };
	let min_identity = if flags & 16 != 0 {
		IdentityLevel::decode(&mut &[input.byte()? % 4][..]).unwrap_or_default()
	} else {
		IdentityLevel::default()
	};
	let expires_at = if flags & 32 != 0 { Some(now_s + u64::from(input.u16()?)) } else { None };
	let count = input.byte()? as usize % 13;
	let most = if side == Side::Ask { 12 } else { 9 };
	let benchmarks: Vec<u64> = (0..count)
		.map(|_| input.byte().map(|b| u64::from(b % most)))
		.collect::<Option<_>>()?;
	Some(OrderTermsOf::<Runtime> {
		side,
		price: Price { per_second, unit },
		duration,
		counterparty,
		min_identity,
		curator,
		tag: Default::default(),
		benchmarks: benchmarks.try_into().ok()?,
		netflags: input.byte()? % 8,
		expires_at,
	})
}

/// Runs one step; `None` when the input ran out.
fn step(chain: &mut Chain, input: &mut Input) -> Option<()> {
	use pallet_market::Call as Market;
	let kind = &STEPS[input.byte()? as usize % STEPS.len()];
	let who = input.byte()? as usize;
	let now_s = chain.now_ms / 1000;
	match kind {
		Step::NextBlock => chain.next_block(1 + u64::from(input.byte()? % 4)),
		Step::Jump => chain.next_block(u64::from(input.byte()?) * 30),
		Step::PlaceOrder => {
			let terms = terms(input, now_s)?;
			chain.signed(who, Market::place_order { terms }.into())
		},
		Step::CancelOrder => {
			let mut ids = orders_of(Side::Ask);
			ids.extend(orders_of(Side::Bid));
			let id = input.pick(&ids).unwrap_or(0);
			chain.signed(who, Market::cancel_order { id }.into())
		},
		Step::RemoveExpired => {
			let mut ids = orders_of(Side::Ask);
			ids.extend(orders_of(Side::Bid));
			let id = input.pick(&ids).unwrap_or(0);
			chain.signed(who, Market::remove_expired_order { id }.into())
		},
		Step::OpenDeal => {
			let ask = input.pick(&orders_of(Side::Ask)).unwrap_or(0);
			let bid = input.pick(&orders_of(Side::Bid)).unwrap_or(0);
			chain.signed(who, Market::open_deal { ask, bid }.into())
		},
		Step::QuickBuy => {
			let ask = input.pick(&orders_of(Side::Ask)).unwrap_or(0);
			let duration = [0, 60, 600, 3_600][input.byte()? as usize % 4];
			chain.signed(who, Market::quick_buy { ask, duration }.into())
		},
		Step::Bill => {
			let id = input.pick(&deals()).unwrap_or(0);
			chain.signed(who, Market::bill { id }.into())
		},
		Step::CloseDeal => {
			let id = input.pick(&deals()).unwrap_or(0);
			let blacklist = input.byte()? & 1 == 1;
			chain.signed(who, Market::close_deal { id, blacklist }.into())
		},
		Step::Change => {
			let id = input.pick(&deals()).unwrap_or(0);
			let call = match input.byte()? % 3 {
				0 => Market::request_change {
					id,
					per_second: Balance::from(input.u16()?) * 1_000_000,
					duration: [0, 600, 3_600, 7_200][input.byte()? as usize % 4],
				},
				1 => Market::accept_change { id },
				_ => Market::drop_change {
					id,
					side: if input.byte()? & 1 == 0 { Side::Ask } else { Side::Bid },
				},
			};
			chain.signed(who, call.into())
		},
		Step::Workers => {
			let other = account(input)?;
			let call = match input.byte()? % 3 {
				0 => Market::request_master { master: other },
				1 => Market::confirm_worker { worker: other },
				_ => Market::remove_worker { worker: other },
			};
			chain.signed(who, call.into())
		},
		Step::Blacklist => {
			use pallet_blacklist::Call as Blacklist;
			let other = account(input)?;
			let call = match input.byte()? % 6 {
				0 => Blacklist::add { whom: other },
				1 => Blacklist::remove { whom: other },
				2 => Blacklist::subscribe { list: other },
				3 => Blacklist::unsubscribe { list: other },
				4 => Blacklist::publish_list {
					name: b"list".to_vec().try_into().ok()?,
					description: Default::default(),
				},
				_ => Blacklist::unpublish_list {},
			};
			chain.signed(who, call.into())
		},
		Step::FeedPrice => {
			let snm_per_unit = Balance::from(input.u32()?) * 1_000_000;
			chain.signed(
				who,
				pallet_oracle::Call::<Runtime>::feed { currency: Currency::Usd, snm_per_unit }
					.into(),
			)
		},
		Step::Transfer => {
			let dest = account(input)?;
			let value = Balance::from(input.u32()?) * 1_000_000_000;
			chain.signed(
				who,
				pallet_balances::Call::<Runtime>::transfer_allow_death { dest: dest.into(), value }
					.into(),
			)
		},
		Step::RawSigned | Step::RawRoot => {
			let length = input.byte()? as usize;
			let mut bytes = input.bytes(length.min(input.0.len()))?;
			let call = RuntimeCall::decode_with_depth_limit(CALL_DEPTH, &mut bytes).ok()?;
			// Heavier than a whole block: a node would refuse it before dispatch.
			let limits = <Runtime as frame_system::Config>::BlockWeights::get();
			if call.get_dispatch_info().total_weight().any_gt(limits.max_block) {
				return Some(());
			}
			if matches!(kind, Step::RawRoot) {
				if root_call_allowed(&call) {
					chain.root(call);
				}
			} else if signed_call_allowed(&call) {
				chain.signed(who, call);
			}
		},
	}
	Some(())
}

/// Everything that must hold after every call; the error names the first that does not.
pub fn check_invariants(number: u32) -> Result<(), String> {
	use frame_support::traits::PalletsInfoAccess;
	// One pallet at a time, so that the error names the pallet whose invariant broke.
	for pallet in <AllPalletsWithSystem as PalletsInfoAccess>::infos() {
		let only = TryStateSelect::Only(vec![pallet.name.as_bytes().to_vec()]);
		<AllPalletsWithSystem as TryState<u32>>::try_state(number, only)
			.map_err(|error| format!("{}::try_state: {error:?}", pallet.name))?;
	}
	// The market's own check visits the accounts that have orders or deals; every other
	// account holding anything (and every signer) must hold nothing for the market.
	let mut everyone: Vec<AccountId> = pallet_balances::Holds::<Runtime>::iter_keys().collect();
	everyone.extend(signers().iter().map(|(_, account)| account.clone()));
	everyone.sort();
	everyone.dedup();
	pallet_market::Pallet::<Runtime>::do_try_state_also_for(everyone)
		.map_err(|error| format!("Market::try_state over every holder: {error:?}"))?;
	let mut sum: Balance = 0;
	for (_, info) in frame_system::Account::<Runtime>::iter() {
		sum = sum
			.checked_add(info.data.free)
			.and_then(|s| s.checked_add(info.data.reserved))
			.ok_or("the accounts' balances overflow")?;
	}
	let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
	if sum != issuance {
		return Err(format!("the accounts hold {sum} but the issuance is {issuance}"));
	}
	Ok(())
}

/// What one input did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
	pub calls: usize,
	pub blocks: u32,
}

thread_local! {
	/// The genesis state, built once per thread; every input runs in a storage transaction on
	/// top of it that is rolled back at its end, so each starts from genesis.
	static GENESIS_EXT: std::cell::RefCell<sp_io::TestExternalities> =
		std::cell::RefCell::new(sp_io::TestExternalities::new(genesis().clone()));
}

/// Runs `f` on the genesis state and throws away everything it changed.
fn from_genesis<R>(f: impl FnOnce() -> R) -> R {
	GENESIS_EXT.with(|ext| {
		ext.borrow_mut().execute_with(|| {
			sp_io::storage::start_transaction();
			let result = f();
			sp_io::storage::rollback_transaction();
			result
		})
	})
}

/// Runs `data` against the chain from genesis. Panics, with the step, when an invariant
/// breaks or a call panics.
pub fn run(data: &[u8]) -> Summary {
	from_genesis(|| {
		let mut chain = Chain::new();
		let mut input = Input(data);
		let mut calls = 0;
		let before = CALLS.load(Ordering::Relaxed);
		while calls < MAX_CALLS_PER_INPUT {
			let at = data.len() - input.0.len();
			if step(&mut chain, &mut input).is_none() {
				break;
			}
			let made = (CALLS.load(Ordering::Relaxed) - before) as usize;
			if made > calls {
				calls = made;
				if let Err(error) = check_invariants(chain.number) {
					panic!(
						"invariant broken by the step at byte {at} (block {}): {error}",
						chain.number
					);
				}
			}
		}
		chain.next_block(1);
		if let Err(error) = check_invariants(chain.number) {
			panic!("invariant broken at the end of the input: {error}");
		}
		Summary { calls, blocks: chain.number }
	})
}

/// Decoding and applying extrinsics as the node receives them from the network.
pub mod extrinsic {
	use super::*;
	use sonm_runtime::UncheckedExtrinsic;
	use sp_runtime::transaction_validity::TransactionSource;

	/// The nesting the node allows when it decodes an extrinsic.
	const EXTRINSIC_DEPTH: u32 = 256;

	/// Decodes `data` as an extrinsic; one that decodes must encode back to the bytes it was
	/// read from and pass or fail the pool's validation without a panic; one the pool accepts
	/// is applied in a block, again without a panic, and every invariant must hold after it.
	pub fn check(data: &[u8]) {
		let mut rest = data;
		let Ok(extrinsic) = UncheckedExtrinsic::decode_with_depth_limit(EXTRINSIC_DEPTH, &mut rest)
		else {
			return;
		};
		let read = &data[..data.len() - rest.len()];
		// Compact lengths and enums have one encoding each, so a decoded value re-encodes to
		// the same bytes; anything else would let two encodings of one extrinsic exist.
		assert_eq!(extrinsic.encode(), read, "an extrinsic re-encodes to other bytes");
		from_genesis(|| {
			let mut chain = Chain::new();
			// The pool validates on a state of its own (validation sets up a block of its
			// own on top of the best one), never the block being built.
			sp_io::storage::start_transaction();
			let valid = Executive::validate_transaction(
				TransactionSource::External,
				extrinsic.clone(),
				chain.parent,
			);
			sp_io::storage::rollback_transaction();
			// Only what the pool accepts reaches a block from the network. (An inherent such
			// as a second `Timestamp::set` is refused there; applied in a block it panics on
			// purpose, which makes that block invalid.)
			if valid.is_ok() {
				CALLS.fetch_add(1, Ordering::Relaxed);
				if matches!(Executive::apply_extrinsic(extrinsic), Ok(Ok(_))) {
					SUCCEEDED.fetch_add(1, Ordering::Relaxed);
				}
			}
			if let Err(error) = check_invariants(chain.number) {
				panic!("invariant broken by a decoded extrinsic: {error}");
			}
			chain.next_block(1);
		});
	}

	/// Valid signed extrinsics of the product's calls, signed as the fuzzer's chain expects
	/// (immortal, nonce 0, the genesis of the dev preset): the seeds libFuzzer mutates.
	pub fn seeds() -> Vec<Vec<u8>> {
		let mut ext = sp_io::TestExternalities::new(genesis().clone());
		ext.execute_with(|| {
			let genesis_hash = frame_system::BlockHash::<Runtime>::get(0);
			let bob = signers()[1].1.clone();
			let calls: Vec<RuntimeCall> = vec![
				pallet_balances::Call::<Runtime>::transfer_keep_alive {
					dest: bob.clone().into(),
					value: 1_000_000_000_000_000_000,
				}
				.into(),
				pallet_market::Call::<Runtime>::place_order {
					terms: super::terms(&mut Input(&[0, 0, 1, 0, 3, 2, 5, 5, 4]), START_MS / 1000)
						.expect("the seed's terms read"),
				}
				.into(),
				pallet_market::Call::<Runtime>::open_deal { ask: 0, bid: 1 }.into(),
				pallet_market::Call::<Runtime>::bill { id: 1 }.into(),
				pallet_blacklist::Call::<Runtime>::add { whom: bob.clone() }.into(),
				pallet_oracle::Call::<Runtime>::feed {
					currency: Currency::Usd,
					snm_per_unit: 1_000_000_000_000_000_000,
				}
				.into(),
				pallet_kyc::Call::<Runtime>::withdraw_profile {}.into(),
				pallet_masternodes::Call::<Runtime>::leave {}.into(),
				pallet_gatekeeper::Call::<Runtime>::withdraw {
					amount: 1_000_000_000_000_000_000,
					to: [7; 20],
				}
				.into(),
			];
			calls
				.into_iter()
				.map(|call| {
					sign_extrinsic(
						call,
						&signers()[0].0,
						0,
						Era::Immortal,
						genesis_hash,
						genesis_hash,
					)
					.encode()
				})
				.collect()
		})
	}
}

/// Inputs for `runtime_calls` that reach deep paths at once: a book of asks and bids, deals
/// opened, billed, changed and closed, the clock jumping past their ends.
pub fn call_seeds() -> Vec<Vec<u8>> {
	// Step bytes: the index into STEPS, then the signer, then the step's own bytes.
	let place = |who: u8, bid: bool, price: u16, duration: u8| {
		let mut bytes = vec![2, who, u8::from(bid), 0, 0, duration, 2, 1, 1, 3];
		bytes[3..5].copy_from_slice(&price.to_le_bytes());
		bytes
	};
	let ask_then_bid = [place(1, false, 10, 3), place(2, true, 20, 3)].concat();
	let open = vec![5, 2, 0, 0];
	let bill = vec![7, 1, 0];
	let next = vec![0, 0, 3];
	let jump = vec![1, 0, 200];
	let close = vec![8, 2, 0, 1];
	let change = vec![9, 1, 0, 0, 50, 0, 2, 9, 2, 0, 1];
	let spot = [place(3, false, 5, 0), place(4, true, 9, 0), open.clone()].concat();
	vec![
		[ask_then_bid.clone(), open.clone(), next.clone(), bill.clone(), close.clone()].concat(),
		[ask_then_bid.clone(), open.clone(), jump.clone(), bill.clone()].concat(),
		[ask_then_bid.clone(), open.clone(), change, next.clone(), bill.clone()].concat(),
		[spot.clone(), jump.clone(), bill.clone(), close].concat(),
		[spot, vec![11, 2, 3, 0], vec![12, 0, 1, 0, 0, 0], next, vec![6, 5, 0, 1]].concat(),
		[ask_then_bid, vec![3, 1, 0], vec![4, 3, 1], vec![13, 1, 2, 0, 0, 1, 0], jump].concat(),
	]
}

/// Calls between two progress lines.
const PROGRESS_EVERY: u64 = 10_000;

/// Prints a progress line (calls, of them succeeded, blocks) each time the count of calls
/// passes a multiple of [`PROGRESS_EVERY`]; `scripts/fuzz.sh` reads the last one as the run's
/// figure.
pub fn report_progress(calls_before: u64) {
	let calls = CALLS.load(Ordering::Relaxed);
	if calls / PROGRESS_EVERY > calls_before / PROGRESS_EVERY {
		eprintln!(
			"sonm-fuzz: calls {calls}, succeeded {}, blocks {}",
			SUCCEEDED.load(Ordering::Relaxed),
			BLOCKS.load(Ordering::Relaxed)
		);
	}
}

/// Writes `seeds` as files `seed-N` into the folder `SONM_FUZZ_SEEDS` names, when it is set:
/// how `scripts/fuzz.sh` gives a new corpus its starting inputs.
pub fn write_seeds_if_asked(seeds: impl FnOnce() -> Vec<Vec<u8>>) {
	let Some(dir) = std::env::var_os("SONM_FUZZ_SEEDS") else { return };
	let dir = std::path::PathBuf::from(dir);
	std::fs::create_dir_all(&dir).expect("the seed folder can be made");
	for (index, seed) in seeds().into_iter().enumerate() {
		std::fs::write(dir.join(format!("seed-{index}")), seed).expect("a seed can be written");
	}
}

/// Shows that [`check_invariants`] can fail: SNM minted outside the gateway, an escrow hold
/// taken without an order (by a signer, and by an account the fuzzer never signs with), and an
/// account's balance changed behind the issuance's back must each be caught. `scripts/fuzz.sh` runs it (`SONM_FUZZ_SELF_TEST=1`) before fuzzing.
pub fn self_test() -> Result<(), String> {
	use frame_support::traits::fungible::{Mutate, MutateHold};
	let bob = signers()[1].1.clone();
	/// A named way of breaking the state behind the pallets' backs.
	type Breakage = (&'static str, fn(&AccountId));
	let cases: [Breakage; 4] = [
		("SNM minted outside the gateway", |who| {
			pallet_balances::Pallet::<Runtime>::mint_into(who, 1_000).expect("minting works");
		}),
		("a market hold no order accounts for", |who| {
			pallet_balances::Pallet::<Runtime>::hold(
				&sonm_runtime::RuntimeHoldReason::Market(pallet_market::HoldReason::BidEscrow),
				who,
				1_000,
			)
			.expect("holding works");
		}),
		("a market hold of an account that is no signer", |who| {
			use frame_support::traits::tokens::Preservation;
			let stranger = Sr25519Keyring::One.to_account_id();
			pallet_balances::Pallet::<Runtime>::transfer(
				who,
				&stranger,
				10 * sonm_runtime::SNM,
				Preservation::Preserve,
			)
			.expect("the transfer works");
			pallet_balances::Pallet::<Runtime>::hold(
				&sonm_runtime::RuntimeHoldReason::Market(pallet_market::HoldReason::BidEscrow),
				&stranger,
				sonm_runtime::SNM,
			)
			.expect("holding works");
		}),
		("a balance changed behind the issuance's back", |who| {
			frame_system::Account::<Runtime>::mutate(who, |account| account.data.free += 1);
		}),
	];
	for (what, break_it) in cases {
		from_genesis(|| {
			let chain = Chain::new();
			check_invariants(chain.number).map_err(|e| format!("genesis fails: {e}"))?;
			break_it(&bob);
			match check_invariants(chain.number) {
				Err(error) => {
					eprintln!("sonm-fuzz self-test: {what}: caught ({error})");
					Ok(())
				},
				Ok(()) => Err(format!("the invariants missed {what}")),
			}
		})?;
	}
	Ok(())
}

/// Runs [`self_test`] and exits when `SONM_FUZZ_SELF_TEST` is set.
pub fn self_test_if_asked() {
	if std::env::var_os("SONM_FUZZ_SELF_TEST").is_some() {
		match self_test() {
			Ok(()) => std::process::exit(0),
			Err(error) => {
				eprintln!("sonm-fuzz self-test failed: {error}");
				std::process::exit(1);
			},
		}
	}
}
