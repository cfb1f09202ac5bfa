//! Signing keys: sr25519 key pairs from a secret URI (`//Alice`, a mnemonic with a derivation
//! path, a hex seed), from a dev account's name, or from an encrypted JSON file in the polkadot.js
//! export format (the format wallets export and the keystore stores, see [`crate::keystore`]).
//!
//! Derivation follows Substrate (`sp_core::sr25519`): a mnemonic's entropy through
//! `substrate-bip39`, hard junctions by `hard_derive_mini_secret_key`, soft ones by
//! `derived_key_simple`, Ed25519 expansion; `subxt-signer` computes the same and the tests hold
//! the two to each other.

use crate::{error::KeyError, ChainConfig};
use base64::Engine;
use crypto_secretbox::{
	aead::{Aead, KeyInit},
	Key as BoxKey, Nonce, XSalsa20Poly1305,
};
use rand::RngCore;
use schnorrkel::{
	derive::{ChainCode, Derivation},
	ExpansionMode, MiniSecretKey,
};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use subxt::utils::{AccountId32, MultiSignature};
use subxt_signer::{bip39::Mnemonic, DeriveJunction, ExposeSecret, SecretUri, DEV_PHRASE};

/// The SS58 address format of the chain (the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// The dev accounts a name may stand for, with the derivation path of each.
pub const DEV_ACCOUNTS: [(&str, &str); 6] = [
	("alice", "//Alice"),
	("bob", "//Bob"),
	("charlie", "//Charlie"),
	("dave", "//Dave"),
	("eve", "//Eve"),
	("ferdie", "//Ferdie"),
];

/// The scrypt parameters polkadot.js writes by default (N = 2^15, p = 1, r = 8).
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_P: u32 = 1;
const SCRYPT_R: u32 = 8;
/// The scrypt parameters polkadot.js accepts when reading (N, p, r): those it has ever written.
const SCRYPT_ACCEPTED: [(u32, u32, u32); 6] = [
	(1 << 13, 10, 8),
	(1 << 14, 5, 8),
	(1 << 15, 3, 8),
	(1 << 15, 1, 8),
	(1 << 16, 2, 8),
	(1 << 17, 1, 8),
];
/// PKCS#8 framing polkadot.js puts around an sr25519 secret (64 bytes) and public key (32).
const PKCS8_HEADER: [u8; 16] = [48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32];
const PKCS8_DIVIDER: [u8; 5] = [161, 35, 3, 33, 0];
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const SECRET_LEN: usize = 64;
const PUBLIC_LEN: usize = 32;

/// An sr25519 key pair that signs the chain's transactions.
#[derive(Clone)]
pub struct Key(schnorrkel::Keypair);

/// Whether `text` is a secret URI (a dev path, a hex seed or a mnemonic) rather than the name
/// of an account in a keystore.
pub fn is_suri(text: &str) -> bool {
	text.starts_with("//") || text.starts_with("0x") || text.contains(' ')
}

impl std::fmt::Debug for Key {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "Key({})", self.address())
	}
}

impl Key {
	/// A key from a secret URI: `//Alice`, `<mnemonic>//hard/soft///password`, `0x<seed>`.
	pub fn from_suri(suri: &str) -> Result<Self, KeyError> {
		let uri = SecretUri::from_str(suri).map_err(|e| KeyError::BadSuri(e.to_string()))?;
		let phrase = uri.phrase.expose_secret();
		let root = if let Some(hex_seed) = phrase.strip_prefix("0x") {
			let seed = hex::decode(hex_seed).map_err(|e| KeyError::BadSuri(e.to_string()))?;
			Self::from_seed(&seed)?
		} else {
			let mnemonic = Mnemonic::from_str(phrase)
				.map_err(|e| KeyError::BadSuri(format!("not a BIP-39 mnemonic: {e}")))?;
			let password = uri.password.as_ref().map(|p| p.expose_secret().to_owned());
			Self::from_mnemonic(&mnemonic, password.as_deref().unwrap_or(""))?
		};
		Ok(root.derive(&uri.junctions))
	}

	/// The dev account called `name` (`alice` to `ferdie`, any case), if it is one.
	pub fn dev(name: &str) -> Option<Self> {
		let lower = name.to_ascii_lowercase();
		DEV_ACCOUNTS
			.iter()
			.find(|(dev, _)| *dev == lower)
			.map(|(_, path)| Self::from_suri(path).expect("dev paths derive from the dev phrase"))
	}

	/// A fresh key from a new 12-word mnemonic; returns the key and the mnemonic.
	pub fn generate() -> (Self, String) {
		let mut entropy = [0u8; 16];
		rand::thread_rng().fill_bytes(&mut entropy);
		let mnemonic = Mnemonic::from_entropy(&entropy).expect("16 bytes is a 12-word mnemonic");
		let key = Self::from_mnemonic(&mnemonic, "").expect("a fresh mnemonic yields a key");
		(key, mnemonic.to_string())
	}

	fn from_mnemonic(mnemonic: &Mnemonic, password: &str) -> Result<Self, KeyError> {
		let (entropy, len) = mnemonic.to_entropy_array();
		let mini = substrate_bip39::mini_secret_from_entropy(&entropy[..len], password)
			.map_err(|_| KeyError::BadSuri("the mnemonic's entropy is not usable".into()))?;
		Ok(Self(mini.expand_to_keypair(ExpansionMode::Ed25519)))
	}

	fn from_seed(seed: &[u8]) -> Result<Self, KeyError> {
		let mini = MiniSecretKey::from_bytes(seed)
			.map_err(|_| KeyError::BadSuri(format!("a seed is 32 bytes, not {}", seed.len())))?;
		Ok(Self(mini.expand_to_keypair(ExpansionMode::Ed25519)))
	}

	fn derive(&self, junctions: &[DeriveJunction]) -> Self {
		let secret = junctions.iter().fold(self.0.secret.clone(), |secret, junction| {
			let code = ChainCode(*junction.inner());
			if junction.is_hard() {
				secret
					.hard_derive_mini_secret_key(Some(code), b"")
					.0
					.expand(ExpansionMode::Ed25519)
			} else {
				secret.derived_key_simple(code, []).0
			}
		});
		Self(secret.into())
	}

	/// The account this key signs for.
	pub fn account_id(&self) -> AccountId32 {
		AccountId32(self.0.public.to_bytes())
	}

	/// The account's SS58 address (prefix 42).
	pub fn address(&self) -> String {
		self.account_id().to_string()
	}

	/// Signs `message` the way Substrate verifies sr25519 signatures (context `substrate`).
	pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
		self.0.sign(schnorrkel::signing_context(b"substrate").bytes(message)).to_bytes()
	}

	/// This key encrypted with `password` in the polkadot.js JSON format (version 3: scrypt and
	/// xsalsa20-poly1305 over the PKCS#8 form), named `name`.
	pub fn to_json(&self, name: &str, password: &str) -> Result<KeystoreJson, KeyError> {
		let mut salt = [0u8; SALT_LEN];
		let mut nonce = [0u8; NONCE_LEN];
		rand::thread_rng().fill_bytes(&mut salt);
		rand::thread_rng().fill_bytes(&mut nonce);
		let box_key = scrypt_key(password, &salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)?;
		let mut plain = Vec::with_capacity(PKCS8_HEADER.len() + SECRET_LEN + 5 + PUBLIC_LEN);
		plain.extend_from_slice(&PKCS8_HEADER);
		plain.extend_from_slice(&self.0.secret.to_ed25519_bytes());
		plain.extend_from_slice(&PKCS8_DIVIDER);
		plain.extend_from_slice(&self.0.public.to_bytes());
		let sealed = XSalsa20Poly1305::new(&box_key)
			.encrypt(&Nonce::from(nonce), plain.as_slice())
			.map_err(|_| KeyError::Crypto("encryption failed".into()))?;
		let mut encoded = Vec::with_capacity(SALT_LEN + 12 + NONCE_LEN + sealed.len());
		encoded.extend_from_slice(&salt);
		encoded.extend_from_slice(&(1u32 << SCRYPT_LOG_N).to_le_bytes());
		encoded.extend_from_slice(&SCRYPT_P.to_le_bytes());
		encoded.extend_from_slice(&SCRYPT_R.to_le_bytes());
		encoded.extend_from_slice(&nonce);
		encoded.extend_from_slice(&sealed);
		Ok(KeystoreJson {
			encoded: base64::engine::general_purpose::STANDARD.encode(encoded),
			encoding: Encoding {
				content: vec!["pkcs8".into(), "sr25519".into()],
				kind: vec!["scrypt".into(), "xsalsa20-poly1305".into()],
				version: "3".into(),
			},
			address: self.address(),
			meta: Meta { name: Some(name.to_owned()), extra: Default::default() },
		})
	}

	/// Decrypts a polkadot.js JSON key with `password`; refuses a file whose stated address is
	/// not the key inside.
	pub fn from_json(json: &KeystoreJson, password: &str) -> Result<Self, KeyError> {
		let encoding = &json.encoding;
		let has = |list: &[String], item: &str| list.iter().any(|entry| entry == item);
		if encoding.version != "3"
			|| !has(&encoding.content, "pkcs8")
			|| !has(&encoding.content, "sr25519")
			|| !has(&encoding.kind, "scrypt")
			|| !has(&encoding.kind, "xsalsa20-poly1305")
		{
			return Err(KeyError::UnsupportedEncoding(format!(
				"version {}, content {:?}, type {:?}; only version 3 sr25519 pkcs8 with scrypt and \
				 xsalsa20-poly1305 is read",
				encoding.version, encoding.content, encoding.kind
			)));
		}
		let bytes = base64::engine::general_purpose::STANDARD
			.decode(json.encoded.trim())
			.map_err(|e| KeyError::UnsupportedEncoding(format!("`encoded` is not base64: {e}")))?;
		let header_len = SALT_LEN + 12 + NONCE_LEN;
		if bytes.len() <= header_len {
			return Err(KeyError::UnsupportedEncoding("`encoded` is too short".into()));
		}
		let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
		let (n, p, r) = (word(SALT_LEN), word(SALT_LEN + 4), word(SALT_LEN + 8));
		if !SCRYPT_ACCEPTED.contains(&(n, p, r)) {
			return Err(KeyError::UnsupportedEncoding(format!(
				"scrypt parameters N={n} p={p} r={r} are not among those polkadot.js writes"
			)));
		}
		let box_key = scrypt_key(password, &bytes[..SALT_LEN], n.trailing_zeros() as u8, r, p)?;
		let nonce: [u8; NONCE_LEN] = bytes[SALT_LEN + 12..header_len]
			.try_into()
			.expect("the header was checked long enough");
		let plain = XSalsa20Poly1305::new(&box_key)
			.decrypt(&Nonce::from(nonce), &bytes[header_len..])
			.map_err(|_| KeyError::WrongPassword)?;
		let secret_at = PKCS8_HEADER.len();
		let public_at = secret_at + SECRET_LEN + PKCS8_DIVIDER.len();
		if plain.len() < public_at + PUBLIC_LEN || plain[..secret_at] != PKCS8_HEADER {
			return Err(KeyError::UnsupportedEncoding("not a PKCS#8 sr25519 key".into()));
		}
		let secret =
			schnorrkel::SecretKey::from_ed25519_bytes(&plain[secret_at..secret_at + SECRET_LEN])
				.map_err(|e| KeyError::Crypto(e.to_string()))?;
		let key = Self(schnorrkel::Keypair { public: secret.to_public(), secret });
		if key.0.public.to_bytes()[..] != plain[public_at..public_at + PUBLIC_LEN] {
			return Err(KeyError::Crypto("the public key does not match the secret".into()));
		}
		let stated = AccountId32::from_str(&json.address)
			.map_err(|e| KeyError::UnsupportedEncoding(format!("address {}: {e}", json.address)))?;
		if stated != key.account_id() {
			return Err(KeyError::Crypto(format!(
				"the file says {} but holds the key of {}",
				json.address,
				key.address()
			)));
		}
		Ok(key)
	}
}

/// The scrypt key for xsalsa20-poly1305 from a password.
fn scrypt_key(password: &str, salt: &[u8], log_n: u8, r: u32, p: u32) -> Result<BoxKey, KeyError> {
	let params = scrypt::Params::new(log_n, r, p, 32)
		.map_err(|e| KeyError::Crypto(format!("scrypt parameters: {e}")))?;
	let mut key = BoxKey::default();
	scrypt::scrypt(password.as_bytes(), salt, &params, &mut key)
		.map_err(|e| KeyError::Crypto(format!("scrypt: {e}")))?;
	Ok(key)
}

impl subxt::tx::Signer<ChainConfig> for Key {
	fn account_id(&self) -> AccountId32 {
		Key::account_id(self)
	}

	fn sign(&self, signer_payload: &[u8]) -> MultiSignature {
		MultiSignature::Sr25519(self.sign_bytes(signer_payload))
	}
}

/// An encrypted key in the polkadot.js JSON export format.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeystoreJson {
	/// Base64 of salt, scrypt parameters, nonce and the sealed PKCS#8 key.
	pub encoded: String,
	/// How `encoded` was made.
	pub encoding: Encoding,
	/// The account's SS58 address.
	pub address: String,
	/// Wallet metadata; `name` is the account's name here.
	#[serde(default)]
	pub meta: Meta,
}

/// The `encoding` object of a polkadot.js JSON key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Encoding {
	/// `["pkcs8", "sr25519"]`.
	pub content: Vec<String>,
	/// `["scrypt", "xsalsa20-poly1305"]`.
	#[serde(rename = "type")]
	pub kind: Vec<String>,
	/// `"3"`.
	pub version: String,
}

/// The `meta` object of a polkadot.js JSON key: its name, and whatever else the wallet kept.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Meta {
	/// The account's name.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub name: Option<String>,
	/// Other wallet fields (`genesisHash`, `whenCreated`, ...), kept as they were.
	#[serde(flatten)]
	pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The dev phrase the dev accounts derive from (public knowledge: never for real funds).
pub fn dev_phrase() -> &'static str {
	DEV_PHRASE
}

#[cfg(test)]
mod tests {
	use super::*;

	fn signer_address(suri: &str) -> String {
		let uri = SecretUri::from_str(suri).unwrap();
		subxt_signer::sr25519::Keypair::from_uri(&uri)
			.unwrap()
			.public_key()
			.to_account_id()
			.to_string()
	}

	#[test]
	fn dev_names_are_the_well_known_accounts() {
		assert_eq!(
			Key::dev("Alice").unwrap().address(),
			"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
		);
		assert_eq!(
			Key::dev("bob").unwrap().address(),
			"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
		);
		assert!(Key::dev("mallory").is_none());
	}

	#[test]
	fn derivation_matches_subxt_signer() {
		let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
		for suri in [
			"//Alice".to_owned(),
			"//Alice/stash".to_owned(),
			format!("{phrase}//sonm/worker//1"),
			format!("{phrase}///secret password"),
			"0x398f0c28f98885e046333d4a41c19cee4c37368a9832c6502f6cfd182e2aef89".to_owned(),
		] {
			assert_eq!(Key::from_suri(&suri).unwrap().address(), signer_address(&suri), "{suri}");
		}
	}

	#[test]
	fn bad_suris_are_refused_by_name() {
		assert!(matches!(Key::from_suri("not a mnemonic at all"), Err(KeyError::BadSuri(_))));
		assert!(matches!(Key::from_suri("0x1234"), Err(KeyError::BadSuri(_))));
		assert!(matches!(Key::from_suri("0xzz"), Err(KeyError::BadSuri(_))));
	}

	#[test]
	fn json_round_trips_and_wrong_password_is_named() {
		let (key, mnemonic) = Key::generate();
		assert_eq!(mnemonic.split_whitespace().count(), 12);
		assert_eq!(Key::from_suri(&mnemonic).unwrap().address(), key.address());
		let json = key.to_json("supplier", "correct horse").unwrap();
		assert_eq!(json.address, key.address());
		assert_eq!(json.meta.name.as_deref(), Some("supplier"));
		let text = serde_json::to_string(&json).unwrap();
		let read: KeystoreJson = serde_json::from_str(&text).unwrap();
		assert_eq!(Key::from_json(&read, "correct horse").unwrap().address(), key.address());
		assert!(matches!(Key::from_json(&read, "wrong"), Err(KeyError::WrongPassword)));
		// subxt-signer, an independent reader of the format, reads what we wrote.
		let other = subxt_signer::polkadot_js_compat::decrypt_json(&text, "correct horse").unwrap();
		assert_eq!(other.public_key().to_account_id(), key.account_id());
	}

	/// A key exported by polkadot.js itself (`tests/fixtures/README.md` says how).
	#[test]
	fn reads_a_polkadot_js_export() {
		let text = include_str!("../tests/fixtures/polkadot-js-account.json");
		let json: KeystoreJson = serde_json::from_str(text).unwrap();
		let key = Key::from_json(&json, "sonm-test-password").unwrap();
		assert_eq!(key.address(), "5Gq7oqdhCfiziuX4mN5nZriF3SfGZ2NGHfVsngfPMmeuXY83");
		assert_eq!(json.meta.name.as_deref(), Some("wallet-customer"));
		let mnemonic =
			"antique pride thumb impulse zoo program tourist royal struggle veteran chef bundle";
		assert_eq!(Key::from_suri(mnemonic).unwrap().address(), key.address());
		assert!(matches!(
			Key::from_json(&json, "sonm-test-passw0rd"),
			Err(KeyError::WrongPassword)
		));
	}

	#[test]
	fn a_file_whose_address_lies_is_refused() {
		let key = Key::dev("alice").unwrap();
		let mut json = key.to_json("alice", "pw").unwrap();
		json.address = Key::dev("bob").unwrap().address();
		assert!(matches!(Key::from_json(&json, "pw"), Err(KeyError::Crypto(_))));
	}

	#[test]
	fn signatures_verify_as_substrate_sr25519() {
		let key = Key::dev("alice").unwrap();
		let signature = key.sign_bytes(b"payload");
		let public = subxt_signer::sr25519::PublicKey(key.account_id().0);
		assert!(subxt_signer::sr25519::verify(
			&subxt_signer::sr25519::Signature(signature),
			b"payload",
			&public
		));
	}
}
