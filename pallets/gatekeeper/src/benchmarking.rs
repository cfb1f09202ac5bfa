//! Benchmarks of the gatekeeper (frame-benchmarking v2), each call at its worst: `n` is the
//! size of the active set and the signer set. Keys live in the benchmark keystore and sign as
//! the masternodes' gateways do.

use crate::{pallet::*, BenchmarkHelper, Pallet as Gatekeeper};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get, Hooks,
};
use frame_system::RawOrigin;
use sonm_primitives::gatekeeper::{
	key_registration_digest, threshold, Deposit, DepositKey, EthAddress, EthSignature,
};
use sp_runtime::{
	traits::{Bounded, Zero},
	KeyTypeId,
};

const KEYS: KeyTypeId = KeyTypeId(*b"gtkb");
const RECIPIENT: EthAddress = [0x11; 20];

/// A masternode of the benchmarks: its account and its Ethereum key in the keystore.
struct Signer<T: Config> {
	account: T::AccountId,
	public: sp_runtime::app_crypto::ecdsa::Public,
	address: EthAddress,
}

fn sign(public: &sp_runtime::app_crypto::ecdsa::Public, digest: &[u8; 32]) -> EthSignature {
	let signature = sp_io::crypto::ecdsa_sign_prehashed(KEYS, public, digest)
		.expect("the key is in the keystore");
	let mut signature: EthSignature = signature.0;
	signature[64] += 27;
	signature
}

fn new_signer<T: Config>(account: T::AccountId) -> Signer<T> {
	let public = sp_io::crypto::ecdsa_generate(KEYS, None);
	let digest = [1u8; 32];
	let address = Gatekeeper::<T>::signer_of(&sign(&public, &digest), &digest)
		.expect("a signature just made recovers");
	Signer { account, public, address }
}

/// `n` active masternodes with registered keys, the first being the caller; the contract is
/// named, the caps do not bind, and the signer set is theirs.
fn setup<T: Config>(n: u32) -> Vec<Signer<T>> {
	frame_system::Pallet::<T>::set_block_number(1u32.into());
	EthereumContract::<T>::put(Contract { chain_id: 31337, gatekeeper: [0xca; 20] });
	DailyCaps::<T>::put(Caps {
		daily_mint: BalanceOf::<T>::max_value(),
		daily_withdraw: BalanceOf::<T>::max_value(),
	});
	let signers: Vec<Signer<T>> = (0..n)
		.map(|i| {
			new_signer::<T>(if i == 0 { whitelisted_caller() } else { account("masternode", i, 0) })
		})
		.collect();
	let accounts: Vec<T::AccountId> = signers.iter().map(|s| s.account.clone()).collect();
	T::BenchmarkHelper::make_active(&accounts);
	for signer in &signers {
		EthKeys::<T>::insert(&signer.account, signer.address);
		KeyOwners::<T>::insert(signer.address, &signer.account);
	}
	install::<T>(CurrentSet::<T>::get(), signers.iter().map(|s| s.address).collect());
	signers
}

/// Makes `keys` set `id`, signing now.
fn install<T: Config>(id: u64, mut keys: Vec<EthAddress>) {
	keys.sort();
	let threshold = threshold(keys.len() as u32);
	let signers = keys.try_into().expect("at most MaxSigners keys");
	SignerSets::<T>::insert(id, SignerSet { signers, threshold, signatures: Default::default() });
	CurrentSet::<T>::put(id);
}

fn funded<T: Config>(who: &T::AccountId) -> BalanceOf<T> {
	let amount = T::Currency::minimum_balance().max(1u32.into()) * 1_000_000u32.into()
		+ T::WithdrawalFee::get();
	T::Currency::set_balance(who, amount * 2u32.into());
	T::Currency::set_balance(&T::RewardPot::get(), T::Currency::minimum_balance());
	amount
}

fn a_deposit<T: Config>() -> Deposit<T::AccountId, BalanceOf<T>> {
	Deposit {
		key: DepositKey { tx_hash: [7; 32], log_index: 3 },
		recipient: account("customer", 0, 0),
		amount: T::Currency::minimum_balance().max(1u32.into()) * 100u32.into(),
	}
}

/// A withdrawal opened by a customer, with the signatures of all but the last needed signer
/// (the caller, signers[0], signs last).
fn a_withdrawal<T: Config>(signers: &[Signer<T>]) -> u64 {
	let customer: T::AccountId = account("customer", 0, 0);
	let amount = funded::<T>(&customer);
	Gatekeeper::<T>::withdraw(RawOrigin::Signed(customer).into(), amount, RECIPIENT)
		.expect("withdraws");
	let id = NextWithdrawal::<T>::get() - 1;
	let needed = threshold(signers.len() as u32) as usize;
	for signer in signers.iter().skip(1).take(needed - 1) {
		let signature = payout_signature::<T>(signer, id);
		Gatekeeper::<T>::sign_withdrawal(
			RawOrigin::Signed(signer.account.clone()).into(),
			id,
			signature,
		)
		.expect("a signer signs");
	}
	id
}

fn payout_signature<T: Config>(signer: &Signer<T>, id: u64) -> EthSignature {
	let w = Withdrawals::<T>::get(id).expect("exists");
	let amount: u128 = w.amount.try_into().ok().expect("fits");
	let digest = Gatekeeper::<T>::domain()
		.expect("named")
		.payout_digest(id, &w.to, amount, w.set_id);
	sign(&signer.public, &digest)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A new key for a member of a set of `n`: the signer set is compared with the active set.
	#[benchmark]
	fn register_eth_key(n: Linear<1, { T::MaxSigners::get() }>) {
		let signers = setup::<T>(n);
		let fresh = new_signer::<T>(signers[0].account.clone());
		let digest = key_registration_digest(
			&Gatekeeper::<T>::genesis_hash(),
			&codec::Encode::encode(&fresh.account),
		);
		let proof = sign(&fresh.public, &digest);

		#[extrinsic_call]
		_(RawOrigin::Signed(fresh.account.clone()), fresh.address, proof);

		assert_eq!(EthKeys::<T>::get(&fresh.account), Some(fresh.address));
		assert!(SignerSets::<T>::contains_key(CurrentSet::<T>::get() + 1));
	}

	/// The attestation that reaches the threshold of a set of `n` and mints. From two members
	/// on, so that every sample finds the deposit already attested (the same storage read at
	/// every `n`, which the proof-size analysis needs).
	#[benchmark]
	fn attest_deposit(n: Linear<2, { T::MaxSigners::get() }>) {
		let signers = setup::<T>(n);
		let deposit = a_deposit::<T>();
		for signer in signers.iter().skip(1).take(threshold(n) as usize - 1) {
			Gatekeeper::<T>::attest_deposit(
				RawOrigin::Signed(signer.account.clone()).into(),
				deposit.clone(),
			)
			.expect("attests");
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(signers[0].account.clone()), deposit.clone());

		assert_eq!(Deposits::<T>::get(deposit.key).map(|d| d.stage), Some(Stage::Minted));
	}

	/// A deposit deferred by the cap, minted on a later claim.
	#[benchmark]
	fn claim_deposit() {
		let signers = setup::<T>(1);
		let deposit = a_deposit::<T>();
		DailyCaps::<T>::put(Caps { daily_mint: Zero::zero(), daily_withdraw: Zero::zero() });
		Gatekeeper::<T>::attest_deposit(
			RawOrigin::Signed(signers[0].account.clone()).into(),
			deposit.clone(),
		)
		.expect("attests");
		assert_eq!(Deposits::<T>::get(deposit.key).map(|d| d.stage), Some(Stage::Approved));
		DailyCaps::<T>::put(Caps {
			daily_mint: BalanceOf::<T>::max_value(),
			daily_withdraw: Zero::zero(),
		});

		#[extrinsic_call]
		_(RawOrigin::Signed(signers[0].account.clone()), deposit.key);

		assert_eq!(Deposits::<T>::get(deposit.key).map(|d| d.stage), Some(Stage::Minted));
	}

	#[benchmark]
	fn withdraw() {
		setup::<T>(1);
		let customer: T::AccountId = account("customer", 0, 0);
		let amount = funded::<T>(&customer);

		#[extrinsic_call]
		_(RawOrigin::Signed(customer), amount, RECIPIENT);

		assert_eq!(NextWithdrawal::<T>::get(), 1);
	}

	/// The signature that completes a withdrawal's set of `n`.
	#[benchmark]
	fn sign_withdrawal(n: Linear<1, { T::MaxSigners::get() }>) {
		let signers = setup::<T>(n);
		let id = a_withdrawal::<T>(&signers);
		let signature = payout_signature::<T>(&signers[0], id);

		#[extrinsic_call]
		_(RawOrigin::Signed(signers[0].account.clone()), id, signature);

		let w = Withdrawals::<T>::get(id).expect("exists");
		assert!(Gatekeeper::<T>::is_complete(w.set_id, &w.signatures));
	}

	/// The signature that completes the change from a set of `n` to the next (one member
	/// replaced), which then compares the new set with the active set.
	#[benchmark]
	fn sign_set_change(n: Linear<1, { T::MaxSigners::get() }>) {
		let mut signers = setup::<T>(n);
		let current = CurrentSet::<T>::get();
		let newcomer = new_signer::<T>(account("newcomer", 0, 0));
		let mut next: Vec<EthAddress> = signers.iter().skip(1).map(|s| s.address).collect();
		next.push(newcomer.address);
		next.sort();
		let threshold_next = threshold(next.len() as u32);
		SignerSets::<T>::insert(
			current + 1,
			SignerSet {
				signers: next.clone().try_into().expect("fits"),
				threshold: threshold_next,
				signatures: Default::default(),
			},
		);
		let digest = Gatekeeper::<T>::domain().expect("named").set_change_digest(
			current + 1,
			&next,
			threshold_next,
			current,
		);
		let needed = threshold(n) as usize;
		for signer in signers.iter().skip(1).take(needed - 1) {
			Gatekeeper::<T>::sign_set_change(
				RawOrigin::Signed(signer.account.clone()).into(),
				current + 1,
				sign(&signer.public, &digest),
			)
			.expect("a signer signs");
		}
		let caller = signers.remove(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.account), current + 1, sign(&caller.public, &digest));

		assert_eq!(CurrentSet::<T>::get(), current + 1);
	}

	#[benchmark]
	fn pause() {
		let signers = setup::<T>(T::MaxSigners::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(signers[0].account.clone()));

		assert!(Paused::<T>::get());
	}

	#[benchmark]
	fn unpause() {
		Paused::<T>::put(true);

		#[extrinsic_call]
		_(RawOrigin::Root);

		assert!(!Paused::<T>::get());
	}

	#[benchmark]
	fn set_contract() {
		#[extrinsic_call]
		_(RawOrigin::Root, 1, [1; 20]);

		assert!(EthereumContract::<T>::exists());
	}

	#[benchmark]
	fn set_caps() {
		#[extrinsic_call]
		_(RawOrigin::Root, 1u32.into(), 1u32.into());

		assert_eq!(DailyCaps::<T>::get().daily_mint, 1u32.into());
	}

	/// A new session whose active set of `n` differs from the signer set: a change is opened.
	#[benchmark]
	fn refresh_signer_set(n: Linear<1, { T::MaxSigners::get() }>) {
		let signers = setup::<T>(n);
		install::<T>(CurrentSet::<T>::get(), vec![[0xee; 20]]);
		CheckedSession::<T>::kill();
		let _ = signers;

		#[block]
		{
			Gatekeeper::<T>::on_initialize(2u32.into());
		}

		assert!(SignerSets::<T>::contains_key(CurrentSet::<T>::get() + 1));
	}

	impl_benchmark_test_suite!(Gatekeeper, crate::mock::new_bench_ext(), crate::mock::Test);
}
