//! Transaction fees: every fee and tip goes to the masternodes' reward pot, so a block of
//! fee-paying transactions leaves total issuance where it was (SNM moves only by the bridge).

use super::{preset_storage, start_clock};
use crate::{configs::market::FeePot, Balances, Executive, Runtime, RuntimeCall, SNM};
use frame_support::traits::fungible::Inspect;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	transaction_validity::{InvalidTransaction, TransactionValidityError},
};

#[test]
fn a_block_full_of_fee_paying_transactions_leaves_issuance_unchanged() {
	preset_storage("development").execute_with(|| {
		start_clock();
		let genesis = frame_system::BlockHash::<Runtime>::get(0);
		let issuance = Balances::total_issuance();
		let pot = FeePot::get();
		let pot_before = Balances::balance(&pot);
		let senders = [Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];
		let recipient = Sr25519Keyring::Ferdie.to_account_id();
		let mut nonces = [0u32; 3];
		let mut included = 0u32;
		// Transfers signed in turn by three accounts until the block's weight is used up.
		loop {
			let i = included as usize % senders.len();
			let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: recipient.clone().into(),
				value: SNM,
			});
			let extrinsic = crate::signing::sign_extrinsic(
				call,
				&senders[i].pair(),
				nonces[i],
				Era::Immortal,
				genesis,
				genesis,
			);
			match Executive::apply_extrinsic(extrinsic) {
				Ok(result) => {
					assert!(result.is_ok(), "the transfer succeeds: {result:?}");
					nonces[i] += 1;
					included += 1;
				},
				Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources)) => {
					break
				},
				Err(other) => panic!("unexpected refusal: {other:?}"),
			}
		}
		let fees = Balances::balance(&pot) - pot_before;
		println!("{included} transfers filled the block; the pot took {fees} in fees");
		assert!(included > 100, "a block holds many transfers; {included} did");
		assert!(fees > 0, "the transfers paid fees");
		assert_eq!(Balances::total_issuance(), issuance, "no fee was burned");
	});
}

/// Found with the runtime fuzzer's harness: `Balances::burn` let any account destroy SNM outside the
/// gateway, and the gatekeeper's `try_state` (issuance = genesis + minted − burned) failed. The
/// call filter refuses it from signed origins, directly and inside a batch.
#[test]
fn no_signed_origin_burns_snm_outside_the_gateway() {
	use sp_runtime::traits::Dispatchable;
	preset_storage("development").execute_with(|| {
		start_clock();
		let issuance = Balances::total_issuance();
		let bob = Sr25519Keyring::Bob;
		let burn =
			RuntimeCall::Balances(pallet_balances::Call::burn { value: SNM, keep_alive: true });
		let refused = burn.clone().dispatch(super::signed(bob)).unwrap_err().error;
		assert_eq!(refused, frame_system::Error::<Runtime>::CallFiltered.into());
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![burn] });
		let refused = batch.dispatch(super::signed(bob)).unwrap_err().error;
		assert_eq!(refused, frame_system::Error::<Runtime>::CallFiltered.into());
		assert_eq!(Balances::total_issuance(), issuance, "nothing burned");
		// Transfers still pass the filter.
		let transfer = pallet_balances::Call::<Runtime>::transfer_keep_alive {
			dest: Sr25519Keyring::Ferdie.to_account_id().into(),
			value: SNM,
		};
		assert!(RuntimeCall::Balances(transfer).dispatch(super::signed(bob)).is_ok());
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_block_pays_once_for_each_block_wide_key_and_the_benchmarks_whitelist_each() {
	use crate::configs::market::{
		block_wide_storage_keys, BLOCK_WIDE_KEYS, BLOCK_WIDE_KEYS_ONCE_A_BLOCK,
	};
	use crate::weights::{
		block_weights::BlockExecutionWeight, paritydb_weights::constants::ParityDbWeight,
	};
	use frame_support::weights::Weight;
	let keys = block_wide_storage_keys();
	let distinct: std::collections::BTreeSet<_> = keys.iter().collect();
	assert_eq!((keys.len(), distinct.len()), (BLOCK_WIDE_KEYS.len(), BLOCK_WIDE_KEYS.len()));
	// The fee pot and the order counter are written; the switch, the clock and the price read.
	let written = BLOCK_WIDE_KEYS.iter().filter(|key| key.written()).count() as u64;
	assert_eq!((BLOCK_WIDE_KEYS.len(), written), (5, 2));
	let db = ParityDbWeight::get();
	assert_eq!(BLOCK_WIDE_KEYS_ONCE_A_BLOCK, Weight::from_parts(db.read * 5 + db.write * 2, 0));
	assert_eq!(
		crate::configs::RuntimeBlockWeights::get().base_block,
		BlockExecutionWeight::get() + BLOCK_WIDE_KEYS_ONCE_A_BLOCK
	);
}
