//! Signer sets: masternodes' Ethereum keys, the set of the active masternodes' keys that
//! signs payouts, and its change (signed by the current set) when the active set changes;
//! the EIP-712 domain of the contract they sign for.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use sonm_primitives::{
	gatekeeper::{
		eth_address, is_canonical, threshold, EthAddress, EthSignature, EthereumDomain, SetId,
	},
	traits::Masternodes,
};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// `who` registers `key`; see [`Pallet::register_eth_key`].
	pub(crate) fn do_register_eth_key(
		who: T::AccountId,
		key: EthAddress,
		signature: EthSignature,
	) -> DispatchResult {
		ensure!(T::Masternodes::is_registered(&who), Error::<T>::NotMasternode);
		let digest = sonm_primitives::gatekeeper::key_registration_digest(
			&Self::genesis_hash(),
			&who.encode(),
		);
		ensure!(Self::signer_of(&signature, &digest) == Some(key), Error::<T>::BadSignature);
		if let Some(owner) = KeyOwners::<T>::get(key) {
			ensure!(owner == who, Error::<T>::KeyInUse);
		}
		if let Some(old) = EthKeys::<T>::get(&who) {
			KeyOwners::<T>::remove(old);
		}
		EthKeys::<T>::insert(&who, key);
		KeyOwners::<T>::insert(key, &who);
		Self::deposit_event(Event::EthKeyRegistered { who, key });
		Self::refresh_signer_set();
		Ok(())
	}

	/// `who` signs the change to set `set_id`; see [`Pallet::sign_set_change`].
	pub(crate) fn do_sign_set_change(
		who: T::AccountId,
		set_id: SetId,
		signature: EthSignature,
	) -> DispatchResult {
		let current = CurrentSet::<T>::get();
		ensure!(set_id == current.saturating_add(1), Error::<T>::NoSetChange);
		let mut next = SignerSets::<T>::get(set_id).ok_or(Error::<T>::NoSetChange)?;
		let domain = Self::domain().ok_or(Error::<T>::NoContract)?;
		let digest = domain.set_change_digest(set_id, &next.signers, next.threshold, current);
		Self::add_signature(&who, current, &digest, &signature, &mut next.signatures)?;
		let complete = Self::is_complete(current, &next.signatures);
		SignerSets::<T>::insert(set_id, next);
		if complete {
			CurrentSet::<T>::put(set_id);
			Self::deposit_event(Event::SignerSetChanged { set_id });
			// The active set may have moved on while this set collected signatures.
			Self::refresh_signer_set();
		}
		Ok(())
	}

	/// The sidechain's genesis hash.
	pub fn genesis_hash() -> [u8; 32] {
		let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let mut out = [0u8; 32];
		let bytes = hash.as_ref();
		out[..bytes.len().min(32)].copy_from_slice(&bytes[..bytes.len().min(32)]);
		out
	}

	/// The EIP-712 domain of the contract, once named.
	pub fn domain() -> Option<EthereumDomain> {
		EthereumContract::<T>::get().map(|contract| EthereumDomain {
			chain_id: contract.chain_id,
			gatekeeper: contract.gatekeeper,
			genesis: Self::genesis_hash(),
		})
	}

	/// The key that made `signature` over `digest`, if it is canonical and valid.
	pub fn signer_of(signature: &EthSignature, digest: &[u8; 32]) -> Option<EthAddress> {
		if !is_canonical(signature) {
			return None;
		}
		sp_io::crypto::secp256k1_ecdsa_recover(signature, digest)
			.ok()
			.map(|public| eth_address(&public))
	}

	/// Checks that `who`'s key is in set `set_id` and made `signature` over `digest`, and
	/// adds it to `signatures` in signer order.
	pub(crate) fn add_signature(
		who: &T::AccountId,
		set_id: SetId,
		digest: &[u8; 32],
		signature: &EthSignature,
		signatures: &mut SignaturesOf<T>,
	) -> DispatchResult {
		let key = EthKeys::<T>::get(who).ok_or(Error::<T>::NotSigner)?;
		let set = SignerSets::<T>::get(set_id).ok_or(Error::<T>::NoSignerSet)?;
		ensure!(set.signers.binary_search(&key).is_ok(), Error::<T>::NotSigner);
		ensure!(Self::signer_of(signature, digest) == Some(key), Error::<T>::BadSignature);
		let at = match signatures.binary_search_by(|(signer, _)| signer.cmp(&key)) {
			Ok(_) => return Err(Error::<T>::AlreadySigned.into()),
			Err(at) => at,
		};
		signatures
			.try_insert(at, (key, *signature))
			.map_err(|_| Error::<T>::NotSigner)?;
		Ok(())
	}

	/// Whether `signatures` reach set `set_id`'s threshold.
	pub fn is_complete(set_id: SetId, signatures: &SignaturesOf<T>) -> bool {
		SignerSets::<T>::get(set_id).is_some_and(|set| signatures.len() as u32 >= set.threshold)
	}

	/// Opens (or replaces, or drops) the change to the set of the active masternodes'
	/// keys, when it differs from the current signer set.
	pub(crate) fn refresh_signer_set() {
		let mut keys: Vec<EthAddress> =
			T::Masternodes::active_set().iter().filter_map(EthKeys::<T>::get).collect();
		keys.sort();
		keys.dedup();
		if keys.is_empty() {
			return;
		}
		let current = CurrentSet::<T>::get();
		let next_id = current.saturating_add(1);
		let Some(set) = SignerSets::<T>::get(current) else {
			// No set yet (no genesis keys): the first keys make set 0 directly.
			if current == 0 {
				let threshold = threshold(keys.len() as u32);
				let signers = BoundedVec::truncate_from(keys.clone());
				SignerSets::<T>::insert(
					0,
					SignerSet { signers, threshold, signatures: Default::default() },
				);
				Self::deposit_event(Event::SetChangeOpened { set_id: 0, signers: keys, threshold });
				Self::deposit_event(Event::SignerSetChanged { set_id: 0 });
			}
			return;
		};
		if set.signers.as_slice() == keys.as_slice() {
			SignerSets::<T>::remove(next_id);
			return;
		}
		if SignerSets::<T>::get(next_id)
			.is_some_and(|next| next.signers.as_slice() == keys.as_slice())
		{
			return;
		}
		let threshold = threshold(keys.len() as u32);
		let signers = BoundedVec::truncate_from(keys.clone());
		SignerSets::<T>::insert(
			next_id,
			SignerSet { signers, threshold, signatures: Default::default() },
		);
		Self::deposit_event(Event::SetChangeOpened { set_id: next_id, signers: keys, threshold });
	}
}
