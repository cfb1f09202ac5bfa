//! Signed requests to a worker's task control plane: what a customer signs with the deal's
//! consumer key, and how the worker checks it. Transport-independent (HTTP headers today, a
//! libp2p stream or a browser tomorrow carry the same [`SignedRequest`]).
//!
//! The signed message binds the method, the path, the deal, the body's SHA-256, a timestamp and
//! a nonce: another deal's path or body breaks the signature, a stale timestamp is refused, and
//! a nonce seen within the time window is a replay.

use crate::{AccountId32, Key};
use sha2::{Digest, Sha256};
use std::{collections::HashMap, str::FromStr};

/// How far a request's timestamp may be from the worker's clock, in seconds.
pub const WINDOW_SECS: u64 = 60;

/// What a signature covers, with its signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
	/// `GET`, `POST`, ...
	pub method: String,
	/// The request's path (`/deals/7/logs`).
	pub path: String,
	/// The deal it acts on.
	pub deal: u64,
	/// SHA-256 of the body, hex.
	pub body_sha256: String,
	/// Unix seconds at signing.
	pub timestamp: u64,
	/// Random, unique per request.
	pub nonce: String,
	/// The signer (SS58).
	pub account: String,
	/// sr25519 signature over [`SignedRequest::message`], hex.
	pub signature: String,
}

/// Why a signed request is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
	/// The account is not an SS58 address, or the signature not 64 hex bytes.
	#[error("malformed credentials: {0}")]
	Malformed(String),
	/// The signature does not verify for this account and request.
	#[error("the signature does not match the request and account")]
	BadSignature,
	/// The body is not the one signed.
	#[error("the body does not match the signed hash")]
	BodyMismatch,
	/// The timestamp is outside the window around the worker's clock.
	#[error("the request is stale: signed at {signed}, now {now} (window {WINDOW_SECS} s)")]
	Stale {
		/// When it was signed.
		signed: u64,
		/// The worker's clock.
		now: u64,
	},
	/// The nonce was already used within the window.
	#[error("replayed request (nonce {0} already used)")]
	Replayed(String),
	/// The signer may not do this to this deal.
	#[error("{account} may not {action} deal {deal}")]
	NotAllowed {
		/// The signer.
		account: String,
		/// What was asked.
		action: String,
		/// The deal.
		deal: u64,
	},
}

impl SignedRequest {
	/// The bytes signed.
	pub fn message(&self) -> Vec<u8> {
		format!(
			"sonm-task-request-v1\n{}\n{}\n{}\n{}\n{}\n{}",
			self.method, self.path, self.deal, self.body_sha256, self.timestamp, self.nonce
		)
		.into_bytes()
	}

	/// Signs a request with `key`.
	pub fn sign(
		key: &Key,
		method: &str,
		path: &str,
		deal: u64,
		body: &[u8],
		timestamp: u64,
		nonce: &str,
	) -> Self {
		let mut request = Self {
			method: method.to_owned(),
			path: path.to_owned(),
			deal,
			body_sha256: sha256_hex(body),
			timestamp,
			nonce: nonce.to_owned(),
			account: key.address(),
			signature: String::new(),
		};
		request.signature = hex::encode(key.sign_bytes(&request.message()));
		request
	}

	/// Checks the signature, the body and the time window (not the replay: see [`NonceCache`]).
	pub fn verify(&self, body: &[u8], now: u64) -> Result<(), AuthError> {
		if now.abs_diff(self.timestamp) > WINDOW_SECS {
			return Err(AuthError::Stale { signed: self.timestamp, now });
		}
		if sha256_hex(body) != self.body_sha256 {
			return Err(AuthError::BodyMismatch);
		}
		let account = AccountId32::from_str(&self.account).map_err(|_| {
			AuthError::Malformed(format!("{:?} is not an SS58 address", self.account))
		})?;
		let public = schnorrkel::PublicKey::from_bytes(&account.0)
			.map_err(|_| AuthError::Malformed("not an sr25519 public key".into()))?;
		let bytes: [u8; 64] = hex::decode(self.signature.trim_start_matches("0x"))
			.ok()
			.and_then(|bytes| bytes.try_into().ok())
			.ok_or_else(|| AuthError::Malformed("the signature is not 64 hex bytes".into()))?;
		let signature = schnorrkel::Signature::from_bytes(&bytes)
			.map_err(|_| AuthError::Malformed("not an sr25519 signature".into()))?;
		public
			.verify(schnorrkel::signing_context(b"substrate").bytes(&self.message()), &signature)
			.map_err(|_| AuthError::BadSignature)
	}
}

/// The clock requests are signed and checked against: unix seconds now.
pub fn unix_now() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|since| since.as_secs())
		.unwrap_or_default()
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
	hex::encode(Sha256::digest(bytes))
}

/// The nonces seen within the time window, per signer: a second use is a replay.
#[derive(Debug, Default)]
pub struct NonceCache {
	seen: HashMap<(String, String), u64>,
}

impl NonceCache {
	/// Records `request`'s nonce at `now`; refuses one already seen. Forgets nonces older than
	/// twice the window (their requests are stale anyway).
	pub fn check_and_record(&mut self, request: &SignedRequest, now: u64) -> Result<(), AuthError> {
		self.seen.retain(|_, at| now.saturating_sub(*at) <= 2 * WINDOW_SECS);
		let key = (request.account.clone(), request.nonce.clone());
		if self.seen.contains_key(&key) {
			return Err(AuthError::Replayed(request.nonce.clone()));
		}
		self.seen.insert(key, now);
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn signed(key: &Key, body: &[u8]) -> SignedRequest {
		SignedRequest::sign(key, "POST", "/deals/7/tasks", 7, body, 1_000, "n-1")
	}

	#[test]
	fn a_signed_request_verifies_and_every_tampering_is_refused_by_name() {
		let alice = Key::dev("alice").unwrap();
		let bob = Key::dev("bob").unwrap();
		let body = br#"{"image":"busybox"}"#;
		let request = signed(&alice, body);
		assert_eq!(request.verify(body, 1_000), Ok(()));
		assert_eq!(request.verify(body, 1_060), Ok(()), "inside the window");

		assert_eq!(request.verify(b"{}", 1_000), Err(AuthError::BodyMismatch));
		assert!(matches!(request.verify(body, 1_061), Err(AuthError::Stale { .. })));
		assert!(matches!(request.verify(body, 939), Err(AuthError::Stale { .. })));
		let other_deal =
			SignedRequest { deal: 8, path: "/deals/8/tasks".into(), ..request.clone() };
		assert_eq!(other_deal.verify(body, 1_000), Err(AuthError::BadSignature));
		let other_method = SignedRequest { method: "DELETE".into(), ..request.clone() };
		assert_eq!(other_method.verify(body, 1_000), Err(AuthError::BadSignature));
		// Bob claims Alice's signature, and a signature by Bob claims to be Alice's.
		let claimed = SignedRequest { account: bob.address(), ..request.clone() };
		assert_eq!(claimed.verify(body, 1_000), Err(AuthError::BadSignature));
		let forged = SignedRequest { signature: signed(&bob, body).signature, ..request.clone() };
		assert_eq!(forged.verify(body, 1_000), Err(AuthError::BadSignature));
		let garbled = SignedRequest { signature: "zz".into(), ..request.clone() };
		assert!(matches!(garbled.verify(body, 1_000), Err(AuthError::Malformed(_))));
		let nobody = SignedRequest { account: "nobody".into(), ..request };
		assert!(matches!(nobody.verify(body, 1_000), Err(AuthError::Malformed(_))));
	}

	#[test]
	fn a_nonce_is_accepted_once_per_signer() {
		let alice = Key::dev("alice").unwrap();
		let bob = Key::dev("bob").unwrap();
		let mut cache = NonceCache::default();
		let first = signed(&alice, b"");
		assert_eq!(cache.check_and_record(&first, 1_000), Ok(()));
		assert_eq!(cache.check_and_record(&first, 1_001), Err(AuthError::Replayed("n-1".into())));
		assert_eq!(cache.check_and_record(&signed(&bob, b""), 1_001), Ok(()), "another signer");
		// Long after, the nonce is forgotten (its request would be stale by then).
		assert_eq!(cache.check_and_record(&first, 1_000 + 2 * WINDOW_SECS + 1), Ok(()));
	}
}
