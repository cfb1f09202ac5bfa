//! A masternode's Ethereum key for the gateway: a secp256k1 key from a secret URI (`//Alice`
//! derives the same key as `sp_core::ecdsa::Pair::from_string("//Alice")`, which the dev chains'
//! genesis names), its Ethereum address, and signatures of EIP-712 digests in the form the
//! Gatekeeper contract and `pallet_gatekeeper` accept (`r ‖ s ‖ v`, `v` 27 or 28, low `s`).

use crate::error::KeyError;
use sonm_primitives::gatekeeper::{eth_address, EthAddress, EthSignature};
use std::str::FromStr;
use subxt_signer::{ecdsa, SecretUri};

/// An Ethereum key.
#[derive(Clone)]
pub struct EthKey {
	pair: ecdsa::Keypair,
	address: EthAddress,
}

impl EthKey {
	/// The key of a secret URI: a 0x-hex secret key, a mnemonic or a derivation like `//Alice`.
	pub fn from_uri(uri: &str) -> Result<Self, KeyError> {
		let secret = SecretUri::from_str(uri).map_err(|e| KeyError::BadSuri(e.to_string()))?;
		let pair =
			ecdsa::Keypair::from_uri(&secret).map_err(|e| KeyError::BadSuri(e.to_string()))?;
		let public = secp256k1::PublicKey::from_slice(&pair.public_key().0)
			.map_err(|e| KeyError::Crypto(e.to_string()))?;
		let uncompressed: [u8; 64] = public.serialize_uncompressed()[1..]
			.try_into()
			.expect("65 bytes less the prefix");
		Ok(Self { address: eth_address(&uncompressed), pair })
	}

	/// The Ethereum address.
	pub fn address(&self) -> EthAddress {
		self.address
	}

	/// The 32-byte secret key (for an Ethereum wallet that sends transactions with it).
	pub fn secret(&self) -> [u8; 32] {
		self.pair.secret_key()
	}

	/// Signs a digest (EIP-712 or the key registration's).
	pub fn sign(&self, digest: &[u8; 32]) -> EthSignature {
		let mut signature = self.pair.sign_prehashed(digest).0;
		signature[64] += 27;
		signature
	}
}

/// `0x`-prefixed lowercase hex of an address.
pub fn address_hex(address: &EthAddress) -> String {
	format!("0x{}", hex::encode(address))
}

/// An address from `0x` hex; `Err` says what is wrong with it.
pub fn parse_address(text: &str) -> Result<EthAddress, String> {
	let digits = text.strip_prefix("0x").unwrap_or(text);
	let bytes = hex::decode(digits).map_err(|_| format!("{text:?} is not hex"))?;
	bytes
		.try_into()
		.map_err(|_| format!("{text:?} is not a 20-byte Ethereum address"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_keys_are_the_chains_genesis_keys() {
		// The runtime's DEV_ETH_KEYS for Alice and Bob.
		let alice = EthKey::from_uri("//Alice").unwrap();
		assert_eq!(address_hex(&alice.address()), "0xe04cc55ebee1cbce552f250e85c57b70b2e2625b");
		let bob = EthKey::from_uri("//Bob").unwrap();
		assert_eq!(address_hex(&bob.address()), "0x25451a4de12dccc2d166922fa938e900fcc4ed24");
	}

	#[test]
	fn signatures_are_canonical() {
		let key = EthKey::from_uri("//Charlie").unwrap();
		for i in 0..20u8 {
			let signature = key.sign(&[i; 32]);
			assert!(sonm_primitives::gatekeeper::is_canonical(&signature));
		}
	}

	#[test]
	fn addresses_parse_or_are_refused() {
		let text = "0xe04cc55ebee1cbce552f250e85c57b70b2e2625b";
		assert_eq!(address_hex(&parse_address(text).unwrap()), text);
		assert!(parse_address("0x1234").is_err());
		assert!(parse_address("not hex").is_err());
	}
}
