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
