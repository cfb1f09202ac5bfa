//! The gateway in this runtime: the dev masternodes' Ethereum keys are the dev seeds' keys,
//! the presets make them signer set 0 and name the contract, and a withdrawal burns while its
//! fee reaches the reward pot, with the issuance accounted for.

use super::{preset_storage, signed, start_clock};
use crate::{configs, genesis_config_presets::DEV_ETH_KEYS, Balances, Gatekeeper, Runtime};
use frame_support::{assert_ok, traits::fungible::Inspect};
use sp_core::{ecdsa, Pair};
use sp_keyring::Sr25519Keyring;

/// The Ethereum address of the secp256k1 key of seed `//name`.
fn dev_address(name: &str) -> [u8; 20] {
	let pair = ecdsa::Pair::from_string(&format!("//{name}"), None).unwrap();
	let digest = [1u8; 32];
	let mut signature = pair.sign_prehashed(&digest).0;
	signature[64] += 27;
	Gatekeeper::signer_of(&signature, &digest).expect("a signature just made recovers")
}

#[test]
fn dev_eth_keys_are_the_dev_seeds() {
	for (name, key) in DEV_ETH_KEYS {
		assert_eq!(dev_address(name), key, "{name}");
	}
}

#[test]
fn the_presets_make_the_masternodes_keys_signer_set_zero() {
	for (preset, members) in [("development", 1), ("local_testnet", 4)] {
		preset_storage(preset).execute_with(|| {
			let set = pallet_gatekeeper::SignerSets::<Runtime>::get(0).expect("set 0");
			let mut keys: Vec<[u8; 20]> = DEV_ETH_KEYS[..members].iter().map(|(_, k)| *k).collect();
			keys.sort();
			assert_eq!(set.signers.into_inner(), keys, "{preset}");
			assert!(Gatekeeper::domain().is_some());
			Gatekeeper::do_try_state().expect("the gatekeeper's invariants hold at genesis");
		});
	}
}

#[test]
fn a_withdrawal_burns_and_pays_its_fee_to_the_pot() {
	preset_storage("development").execute_with(|| {
		start_clock();
		let pot = configs::market::FeePot::get();
		let (issuance, pot_before) = (Balances::total_issuance(), Balances::balance(&pot));
		let amount = 10 * crate::SNM;
		assert_ok!(Gatekeeper::withdraw(signed(Sr25519Keyring::Bob), amount, [0x11; 20]));
		let fee = configs::gatekeeper::WITHDRAWAL_FEE;
		assert_eq!(Balances::balance(&pot), pot_before + fee);
		assert_eq!(Balances::total_issuance(), issuance - (amount - fee));
		Gatekeeper::do_try_state().expect("issuance = genesis + minted - burnt");
	});
}
