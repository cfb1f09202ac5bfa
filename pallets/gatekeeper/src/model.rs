//! A property test over random sequences of deposits, attestations (honest and forged),
//! withdrawals, signatures, relays, pauses, set changes and days passing, against a model of
//! the Ethereum contract: whatever happens, the SNM minted on the sidechain and not burnt again
//! is never more than the SNM locked on Ethereum, no deposit is minted twice, no withdrawal
//! pays twice, and the pallet's invariants hold after every step.

use crate::{mock::*, pallet::*};
use proptest::prelude::*;
use sonm_primitives::gatekeeper::{Deposit, DepositKey};
use std::collections::BTreeSet;

/// One step of the random walk.
#[derive(Clone, Debug)]
enum Step {
	/// Someone locks `amount` on Ethereum for the customer.
	PayIn {
		amount: u16,
	},
	/// Masternode `by` attests the `nth` deposit seen on Ethereum (modulo how many there are).
	Attest {
		by: u8,
		nth: u8,
	},
	/// Masternode `by` attests a deposit that never happened, or a wrong amount of a real one.
	Forge {
		by: u8,
		nth: u8,
		amount: u16,
	},
	/// The customer withdraws `amount`.
	Withdraw {
		amount: u16,
	},
	/// Masternode `by` signs the `nth` withdrawal.
	Sign {
		by: u8,
		nth: u8,
	},
	/// A relayer pays the `nth` withdrawal on Ethereum if its signatures are complete.
	Relay {
		nth: u8,
	},
	/// A new session with active set `members` (a bitmask over masternodes 1 to 6).
	Session {
		members: u8,
	},
	/// Masternode `by` signs the pending set change.
	SignSetChange {
		by: u8,
	},
	Pause {
		by: u8,
	},
	Unpause,
	/// A day passes.
	NextDay,
	/// A claim of the `nth` deposit deferred by the cap.
	Claim {
		nth: u8,
	},
}

fn step() -> impl Strategy<Value = Step> {
	prop_oneof![
		3 => (1u16..3_000).prop_map(|amount| Step::PayIn { amount }),
		8 => (1u8..=6, any::<u8>()).prop_map(|(by, nth)| Step::Attest { by, nth }),
		1 => (4u8..=6, any::<u8>(), 1u16..3_000).prop_map(|(by, nth, amount)| Step::Forge { by, nth, amount }),
		2 => (1u16..2_000).prop_map(|amount| Step::Withdraw { amount }),
		6 => (1u8..=6, any::<u8>()).prop_map(|(by, nth)| Step::Sign { by, nth }),
		2 => any::<u8>().prop_map(|nth| Step::Relay { nth }),
		1 => any::<u8>().prop_map(|members| Step::Session { members }),
		2 => (1u8..=6).prop_map(|by| Step::SignSetChange { by }),
		1 => (1u8..=6).prop_map(|by| Step::Pause { by }),
		1 => Just(Step::Unpause),
		1 => Just(Step::NextDay),
		1 => any::<u8>().prop_map(|nth| Step::Claim { nth }),
	]
}

/// The Ethereum side: what is locked, the deposits made, the withdrawals paid.
#[derive(Default)]
struct Ethereum {
	locked: u128,
	deposits: Vec<(DepositKey, u128)>,
	paid: BTreeSet<u64>,
}

/// The customer holds nothing but what is minted to it: every unit it withdraws was locked on
/// Ethereum (the genesis endowments of test chains are not).
const CUSTOMER: AccountId = 21;

/// Forged attestations come from masternodes 4 to 6; the honest majority is 1 to 3, which
/// stay in every set the walk makes, so forgers are always fewer than a third... except when
/// the set is small: the walk keeps at least three honest members out of at most six.
fn members_of(mask: u8) -> Vec<AccountId> {
	let mut members = vec![1, 2, 3];
	for who in 4..=6u64 {
		if mask & (1 << who) != 0 && members.len() < 4 {
			members.push(who);
		}
	}
	members
}

fn run(steps: Vec<Step>) {
	new_test_ext(|| {
		for who in 5..=6 {
			let pair = eth_pair(who);
			let digest = sonm_primitives::gatekeeper::key_registration_digest(
				&Gatekeeper::genesis_hash(),
				&codec::Encode::encode(&who),
			);
			Gatekeeper::register_eth_key(
				RuntimeOrigin::signed(who),
				eth_key(&pair),
				eth_sign(&pair, &digest),
			)
			.unwrap();
		}
		let mut ethereum = Ethereum::default();
		let mut minted_keys = BTreeSet::new();
		let start_issuance = GenesisIssuance::<Test>::get();
		for step in steps {
			match step {
				Step::PayIn { amount } => {
					let n = ethereum.deposits.len() as u32;
					let key = DepositKey { tx_hash: [7; 32], log_index: n };
					ethereum.deposits.push((key, amount as u128 + ED));
					ethereum.locked += amount as u128 + ED;
				},
				Step::Attest { by, nth } => {
					if let Some(&(key, amount)) =
						ethereum.deposits.get(nth as usize % ethereum.deposits.len().max(1))
					{
						let deposit = Deposit { key, recipient: CUSTOMER, amount };
						let _ =
							Gatekeeper::attest_deposit(RuntimeOrigin::signed(by as u64), deposit);
					}
				},
				Step::Forge { by, nth, amount } => {
					let key = match ethereum
						.deposits
						.get(nth as usize % ethereum.deposits.len().max(1))
					{
						Some(&(key, _)) if nth % 2 == 0 => key,
						_ => DepositKey { tx_hash: [0xf0; 32], log_index: nth as u32 },
					};
					let deposit = Deposit { key, recipient: CUSTOMER, amount: amount as u128 + ED };
					let _ = Gatekeeper::attest_deposit(RuntimeOrigin::signed(by as u64), deposit);
				},
				Step::Withdraw { amount } => {
					let _ = Gatekeeper::withdraw(
						RuntimeOrigin::signed(CUSTOMER),
						amount as u128,
						[0x11; 20],
					);
				},
				Step::Sign { by, nth } => {
					let count = NextWithdrawal::<Test>::get();
					if count > 0 {
						let id = nth as u64 % count;
						let w = Withdrawals::<Test>::get(id).unwrap();
						let current = CurrentSet::<Test>::get();
						let set_id = if Gatekeeper::is_complete(w.set_id, &w.signatures) {
							w.set_id
						} else {
							current
						};
						let digest = Gatekeeper::domain()
							.unwrap()
							.payout_digest(id, &w.to, w.amount, set_id);
						let signature = eth_sign(&eth_pair(by as u64), &digest);
						let _ = Gatekeeper::sign_withdrawal(
							RuntimeOrigin::signed(by as u64),
							id,
							signature,
						);
					}
				},
				Step::Relay { nth } => {
					let count = NextWithdrawal::<Test>::get();
					if count > 0 {
						let id = nth as u64 % count;
						let w = Withdrawals::<Test>::get(id).unwrap();
						// The contract: a threshold of the named set, a set it still accepts,
						// each id once.
						let accepted = w.set_id + OLD_SET_GRACE >= CurrentSet::<Test>::get();
						if Gatekeeper::is_complete(w.set_id, &w.signatures)
							&& accepted && ethereum.paid.insert(id)
						{
							assert!(
								ethereum.locked >= w.amount,
								"Ethereum pays out more than it holds"
							);
							ethereum.locked -= w.amount;
						}
					}
				},
				Step::Session { members } => new_session(members_of(members)),
				Step::SignSetChange { by } => {
					let current = CurrentSet::<Test>::get();
					if let Some(next) = SignerSets::<Test>::get(current + 1) {
						let digest = Gatekeeper::domain().unwrap().set_change_digest(
							current + 1,
							&next.signers,
							next.threshold,
							current,
						);
						let signature = eth_sign(&eth_pair(by as u64), &digest);
						let _ = Gatekeeper::sign_set_change(
							RuntimeOrigin::signed(by as u64),
							current + 1,
							signature,
						);
					}
				},
				Step::Pause { by } => {
					let _ = Gatekeeper::pause(RuntimeOrigin::signed(by as u64));
				},
				Step::Unpause => {
					let _ = Gatekeeper::unpause(RuntimeOrigin::root());
				},
				Step::NextDay => advance(86_400),
				Step::Claim { nth } => {
					if let Some(&(key, _)) =
						ethereum.deposits.get(nth as usize % ethereum.deposits.len().max(1))
					{
						let _ = Gatekeeper::claim_deposit(RuntimeOrigin::signed(9), key);
					}
				},
			}
			Gatekeeper::do_try_state().expect("the pallet's invariants hold");
			let outstanding =
				Minted::<Test>::get() - Burned::<Test>::get().min(Minted::<Test>::get());
			let paid_out: u128 = ethereum
				.paid
				.iter()
				.map(|id| Withdrawals::<Test>::get(id).unwrap().amount)
				.sum();
			assert!(paid_out <= Burned::<Test>::get(), "Ethereum paid out more than was burnt");
			assert!(
				Minted::<Test>::get() <= ethereum.deposits.iter().map(|(_, a)| a).sum::<u128>(),
				"more minted than was ever locked"
			);
			assert!(
				outstanding <= ethereum.locked,
				"minted and not burnt ({outstanding}) exceeds what Ethereum holds ({})",
				ethereum.locked
			);
			for (key, record) in Deposits::<Test>::iter() {
				if record.stage == Stage::Minted {
					let (_, amount) = record.agreed.unwrap();
					let real = ethereum.deposits.iter().find(|(k, _)| *k == key);
					assert_eq!(
						real.map(|(_, a)| *a),
						Some(amount),
						"only real deposits are minted, at their amount"
					);
					minted_keys.insert(key);
				}
			}
			assert_eq!(
				Minted::<Test>::get(),
				minted_keys
					.iter()
					.map(|key| ethereum.deposits.iter().find(|(k, _)| k == key).unwrap().1)
					.sum::<u128>(),
				"each minted deposit counts once"
			);
			assert!(Balances::total_issuance() >= start_issuance - Burned::<Test>::get());
		}
	});
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

	#[test]
	fn minted_never_exceeds_locked(steps in proptest::collection::vec(step(), 1..120)) {
		run(steps);
	}
}
