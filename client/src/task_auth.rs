//! Signed requests to a worker's task control plane: what a customer signs with the deal's
//! consumer key, and how the worker checks it. Transport-independent (HTTP headers today, a
//! libp2p stream or a browser tomorrow carry the same [`SignedRequest`]).
//!
//! The signed message binds the method, the path, the deal, the body's SHA-256, a timestamp and
//! a nonce: another deal's path or body breaks the signature, a stale timestamp is refused, and
//! a nonce seen within the time window is a replay. Signers are told apart by their 32-byte
//! account, whatever SS58 prefix a request spells it in.
//!
//! Browsers: a wallet extension's `signRaw` signs a message wrapped in `<Bytes>...</Bytes>`;
//! either form verifies. So that a page does not ask the wallet for every request, a customer
//! may sign one [`SessionGrant`] (the deal, a key the page made, an expiry at most
//! [`MAX_SESSION_SECS`] ahead): requests signed by that key then act as the customer, on that
//! deal only, until the expiry.

use crate::{AccountId32, Key};
use sha2::{Digest, Sha256};
use std::{
	collections::{HashMap, HashSet, VecDeque},
	str::FromStr,
};

/// How far a request's timestamp may be from the worker's clock, in seconds.
pub const WINDOW_SECS: u64 = 60;

/// The longest nonce, in bytes (a client makes 32 hex digits).
pub const MAX_NONCE_BYTES: usize = 64;

/// The most nonces one signer may have remembered at once (twice the window): a little over
/// 30 requests a second, every second.
pub const NONCES_PER_SIGNER: usize = 4096;

/// The most nonces remembered at once, from all signers.
pub const MAX_NONCES: usize = 65_536;

/// The longest a session key may be granted for, in seconds.
pub const MAX_SESSION_SECS: u64 = 24 * 3600;

/// The wrapping polkadot.js-compatible wallets put around what `signRaw` signs.
const WRAP_PREFIX: &[u8] = b"<Bytes>";
const WRAP_SUFFIX: &[u8] = b"</Bytes>";

/// A customer's grant of one deal's control plane to a short-lived session key: signed once
/// by the customer's wallet, then carried with every request the session key signs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionGrant {
	/// The deal the session may act on.
	pub deal: u64,
	/// The session key's account (SS58).
	pub session: String,
	/// Unix seconds after which the session's requests are refused.
	pub expires_at: u64,
	/// The customer granting it (SS58).
	pub account: String,
	/// The customer's sr25519 signature over [`SessionGrant::message`] (raw or wrapped), hex.
	pub signature: String,
}

/// What a signature covers, with its signer. (A transport that carries it whole, a libp2p
/// stream, sends it as this JSON.)
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
	/// sr25519 signature over [`SignedRequest::message`] (raw or wrapped), hex.
	pub signature: String,
	/// When a session key signed: the customer's grant to it (`account` is then the session
	/// key's).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub session: Option<SessionGrant>,
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
	/// The signer (or all signers together) sent more requests within the window than the
	/// worker remembers nonces for.
	#[error("too many requests: {0}; slow down")]
	TooManyRequests(String),
	/// The session grant's time is over.
	#[error("the session key expired at {expired_at} (now {now}); authorize a new one")]
	SessionExpired {
		/// The grant's expiry.
		expired_at: u64,
		/// The worker's clock.
		now: u64,
	},
	/// The session grant does not cover this request: another deal or another key, or an
	/// expiry further out than [`MAX_SESSION_SECS`].
	#[error("the session grant does not cover this request: {0}")]
	SessionRefused(String),
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
			session: None,
		};
		request.signature = hex::encode(key.sign_bytes(&request.message()));
		request
	}

	/// The same request signed by a session key under `grant` instead.
	pub fn with_session(mut self, session_key: &Key, grant: SessionGrant) -> Self {
		self.account = session_key.address();
		self.signature = hex::encode(session_key.sign_bytes(&self.message()));
		self.session = Some(grant);
		self
	}

	/// Checks the signature, the body, the time window and the nonce's form (not the replay:
	/// see [`NonceCache`]), and a session grant where one signed; the account the request acts
	/// as (the customer's, for a session key's request).
	pub fn verify(&self, body: &[u8], now: u64) -> Result<AccountId32, AuthError> {
		if now.abs_diff(self.timestamp) > WINDOW_SECS {
			return Err(AuthError::Stale { signed: self.timestamp, now });
		}
		if self.nonce.is_empty() || self.nonce.len() > MAX_NONCE_BYTES {
			return Err(AuthError::Malformed(format!(
				"the nonce has {} bytes; it must have 1 to {MAX_NONCE_BYTES}",
				self.nonce.len()
			)));
		}
		if sha256_hex(body) != self.body_sha256 {
			return Err(AuthError::BodyMismatch);
		}
		let signer = verify_sr25519(&self.account, &self.message(), &self.signature)?;
		let Some(grant) = &self.session else { return Ok(signer) };
		let (customer, session) = grant.verify(now)?;
		if session != signer {
			return Err(AuthError::SessionRefused(format!(
				"it was granted to {}, the request is signed by {}",
				grant.session, self.account
			)));
		}
		if grant.deal != self.deal {
			return Err(AuthError::SessionRefused(format!(
				"it is for deal {}, the request for deal {}",
				grant.deal, self.deal
			)));
		}
		Ok(customer)
	}
}

impl SessionGrant {
	/// The bytes the customer signs: the deal, the session key's public key (hex, however its
	/// address is spelt) and the expiry.
	pub fn message(deal: u64, session: &AccountId32, expires_at: u64) -> Vec<u8> {
		format!("sonm-task-session-v1\n{deal}\n0x{}\n{expires_at}", hex::encode(session.0))
			.into_bytes()
	}

	/// A grant of deal `deal` to `session` until `expires_at`, signed by `customer`.
	pub fn sign(customer: &Key, deal: u64, session: &AccountId32, expires_at: u64) -> Self {
		let message = Self::message(deal, session, expires_at);
		Self {
			deal,
			session: session.to_string(),
			expires_at,
			account: customer.address(),
			signature: hex::encode(customer.sign_bytes(&message)),
		}
	}

	/// Checks the customer's signature and the expiry at `now`; the customer and the session
	/// key.
	pub fn verify(&self, now: u64) -> Result<(AccountId32, AccountId32), AuthError> {
		let session = parse_account(&self.session)?;
		let message = Self::message(self.deal, &session, self.expires_at);
		let customer = verify_sr25519(&self.account, &message, &self.signature)?;
		if now >= self.expires_at {
			return Err(AuthError::SessionExpired { expired_at: self.expires_at, now });
		}
		if self.expires_at - now > MAX_SESSION_SECS {
			return Err(AuthError::SessionRefused(format!(
				"it runs until {}, more than {MAX_SESSION_SECS} s from now ({now})",
				self.expires_at
			)));
		}
		Ok((customer, session))
	}
}

fn parse_account(address: &str) -> Result<AccountId32, AuthError> {
	AccountId32::from_str(address)
		.map_err(|_| AuthError::Malformed(format!("{address:?} is not an SS58 address")))
}

/// `message` as a wallet extension's `signRaw` signs it: wrapped in `<Bytes>...</Bytes>`.
pub fn wallet_wrapped(message: &[u8]) -> Vec<u8> {
	[WRAP_PREFIX, message, WRAP_SUFFIX].concat()
}

/// Checks `signature` (hex) by `account` (SS58) over `message`, as signed raw or as a wallet's
/// `signRaw` signs it (wrapped in `<Bytes>...</Bytes>`); the signer.
pub fn verify_sr25519(
	account: &str,
	message: &[u8],
	signature: &str,
) -> Result<AccountId32, AuthError> {
	let account = parse_account(account)?;
	let public = schnorrkel::PublicKey::from_bytes(&account.0)
		.map_err(|_| AuthError::Malformed("not an sr25519 public key".into()))?;
	let bytes: [u8; 64] = hex::decode(signature.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| bytes.try_into().ok())
		.ok_or_else(|| AuthError::Malformed("the signature is not 64 hex bytes".into()))?;
	let signature = schnorrkel::Signature::from_bytes(&bytes)
		.map_err(|_| AuthError::Malformed("not an sr25519 signature".into()))?;
	let context = schnorrkel::signing_context(b"substrate");
	public
		.verify(context.bytes(message), &signature)
		.or_else(|_| public.verify(context.bytes(&wallet_wrapped(message)), &signature))
		.map_err(|_| AuthError::BadSignature)?;
	Ok(account)
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

/// The nonces seen within the time window, per signer: a second use is a replay. Bounded:
/// [`NONCES_PER_SIGNER`] for one signer, [`MAX_NONCES`] in all; a request past a bound is
/// refused, not remembered. Record a nonce only once the signer is known to be a party of the
/// deal, so that strangers' requests take no room.
#[derive(Debug, Default)]
pub struct NonceCache {
	seen: HashSet<([u8; 32], String)>,
	/// What was recorded, oldest first, with when.
	order: VecDeque<(u64, [u8; 32], String)>,
	per_signer: HashMap<[u8; 32], usize>,
}

impl NonceCache {
	/// Records `signer`'s `nonce` at `now`; refuses one already seen, or one past a bound.
	/// Forgets nonces older than twice the window (their requests are stale anyway).
	pub fn check_and_record(
		&mut self,
		signer: &AccountId32,
		nonce: &str,
		now: u64,
	) -> Result<(), AuthError> {
		while let Some((at, ..)) = self.order.front() {
			if now.saturating_sub(*at) <= 2 * WINDOW_SECS {
				break;
			}
			let (_, old_signer, old_nonce) = self.order.pop_front().expect("a front");
			self.seen.remove(&(old_signer, old_nonce));
			if let Some(count) = self.per_signer.get_mut(&old_signer) {
				*count -= 1;
				if *count == 0 {
					self.per_signer.remove(&old_signer);
				}
			}
		}
		let key = (signer.0, nonce.to_owned());
		if self.seen.contains(&key) {
			return Err(AuthError::Replayed(nonce.to_owned()));
		}
		let from_signer = self.per_signer.get(&signer.0).copied().unwrap_or(0);
		if from_signer >= NONCES_PER_SIGNER {
			return Err(AuthError::TooManyRequests(format!(
				"{NONCES_PER_SIGNER} from this signer within {} s",
				2 * WINDOW_SECS
			)));
		}
		if self.seen.len() >= MAX_NONCES {
			return Err(AuthError::TooManyRequests(format!(
				"{MAX_NONCES} from all signers within {} s",
				2 * WINDOW_SECS
			)));
		}
		self.seen.insert(key);
		self.order.push_back((now, signer.0, nonce.to_owned()));
		*self.per_signer.entry(signer.0).or_insert(0) += 1;
		Ok(())
	}

	/// How many nonces are remembered.
	pub fn len(&self) -> usize {
		self.seen.len()
	}

	/// Whether none is.
	pub fn is_empty(&self) -> bool {
		self.seen.is_empty()
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
		let alice_id = alice.account_id();
		assert_eq!(request.verify(body, 1_000), Ok(alice_id));
		assert_eq!(request.verify(body, 1_060), Ok(alice_id), "inside the window");

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

	/// What a wallet extension's `signRaw` signs: the message wrapped in `<Bytes>...</Bytes>`.
	fn sign_as_a_wallet(key: &Key, message: &[u8]) -> String {
		hex::encode(key.sign_bytes(&wallet_wrapped(message)))
	}

	#[test]
	fn a_signature_made_as_a_wallet_signs_verifies_and_a_wrongly_wrapped_one_does_not() {
		let alice = Key::dev("alice").unwrap();
		let body = b"{}";
		let mut request = signed(&alice, body);
		request.signature = sign_as_a_wallet(&alice, &request.message());
		assert_eq!(request.verify(body, 1_000), Ok(alice.account_id()));
		let mut half = request.clone();
		half.signature = hex::encode(alice.sign_bytes(&[WRAP_PREFIX, &request.message()].concat()));
		assert_eq!(half.verify(body, 1_000), Err(AuthError::BadSignature));
	}

	#[test]
	fn a_session_key_acts_as_the_customer_on_its_deal_until_it_expires() {
		let alice = Key::dev("alice").unwrap();
		let (session, _) = Key::generate();
		let (stranger, _) = Key::generate();
		let body = b"{}";
		let grant = SessionGrant::sign(&alice, 7, &session.account_id(), 1_600);
		let request = signed(&alice, body).with_session(&session, grant.clone());
		assert_eq!(request.verify(body, 1_000), Ok(alice.account_id()), "acts as Alice");
		let json = serde_json::to_string(&request).unwrap();
		assert_eq!(serde_json::from_str::<SignedRequest>(&json).unwrap(), request);

		// The grant signed by a wallet (wrapped) works the same.
		let mut wallet_grant = grant.clone();
		let message = SessionGrant::message(7, &session.account_id(), 1_600);
		wallet_grant.signature = sign_as_a_wallet(&alice, &message);
		let by_wallet = signed(&alice, body).with_session(&session, wallet_grant);
		assert_eq!(by_wallet.verify(body, 1_000), Ok(alice.account_id()));

		// Expired, refused by name; too long a grant; another deal; another key.
		let late = SignedRequest { timestamp: 1_600, ..request.clone() };
		let late = late.with_session(&session, grant.clone());
		assert_eq!(
			late.verify(body, 1_600),
			Err(AuthError::SessionExpired { expired_at: 1_600, now: 1_600 })
		);
		let forever =
			SessionGrant::sign(&alice, 7, &session.account_id(), 1_000 + MAX_SESSION_SECS + 1);
		let forever = signed(&alice, body).with_session(&session, forever);
		assert!(matches!(forever.verify(body, 1_000), Err(AuthError::SessionRefused(_))));
		let other_deal = SessionGrant::sign(&alice, 8, &session.account_id(), 1_600);
		let other_deal = signed(&alice, body).with_session(&session, other_deal);
		assert!(matches!(other_deal.verify(body, 1_000), Err(AuthError::SessionRefused(_))));
		let stolen = signed(&alice, body).with_session(&stranger, grant.clone());
		assert!(matches!(stolen.verify(body, 1_000), Err(AuthError::SessionRefused(_))));
		// A grant whose expiry was moved after signing no longer verifies.
		let stretched = SessionGrant { expires_at: 1_700, ..grant };
		let stretched = signed(&alice, body).with_session(&session, stretched);
		assert_eq!(stretched.verify(body, 1_000), Err(AuthError::BadSignature));
	}

	#[test]
	fn a_nonce_is_accepted_once_per_signer() {
		let alice = Key::dev("alice").unwrap().account_id();
		let bob = Key::dev("bob").unwrap().account_id();
		let mut cache = NonceCache::default();
		assert_eq!(cache.check_and_record(&alice, "n-1", 1_000), Ok(()));
		assert_eq!(
			cache.check_and_record(&alice, "n-1", 1_001),
			Err(AuthError::Replayed("n-1".into()))
		);
		assert_eq!(cache.check_and_record(&bob, "n-1", 1_001), Ok(()), "another signer");
		// Long after, the nonce is forgotten (its request would be stale by then).
		assert_eq!(cache.check_and_record(&alice, "n-1", 1_000 + 2 * WINDOW_SECS + 1), Ok(()));
		assert_eq!(cache.len(), 2, "the expired entries are gone");
	}

	/// The same account spelt with another SS58 prefix is the same signer: its nonce is a
	/// replay. (Keyed by the SS58 text, the cache took it for a new signer.)
	#[test]
	fn a_nonce_replayed_under_another_ss58_spelling_is_refused() {
		use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
		let alice = Key::dev("alice").unwrap();
		let body = b"{}";
		let first = signed(&alice, body);
		let polkadot_spelling = sp_core::sr25519::Public::from_raw(alice.account_id().0)
			.to_ss58check_with_version(Ss58AddressFormat::custom(0));
		assert_ne!(polkadot_spelling, first.account);
		let mut respelt = first.clone();
		respelt.account = polkadot_spelling;
		// Still Alice's signature: the account's bytes are what is signed for.
		let signer = respelt.verify(body, 1_000).expect("another spelling of the signer");
		let mut cache = NonceCache::default();
		let original = first.verify(body, 1_000).unwrap();
		cache.check_and_record(&original, &first.nonce, 1_000).unwrap();
		assert_eq!(
			cache.check_and_record(&signer, &respelt.nonce, 1_000),
			Err(AuthError::Replayed("n-1".into()))
		);
	}

	/// A long nonce is refused before anything is remembered; one signer cannot fill the
	/// cache past its share, and all together not past the total.
	#[test]
	fn nonces_are_bounded_in_length_per_signer_and_in_all() {
		let alice = Key::dev("alice").unwrap();
		let body = b"";
		let long = SignedRequest::sign(
			&alice,
			"GET",
			"/deals/7/task",
			7,
			body,
			1_000,
			&"n".repeat(400 << 10),
		);
		assert!(matches!(long.verify(body, 1_000), Err(AuthError::Malformed(_))));
		let empty = SignedRequest::sign(&alice, "GET", "/deals/7/task", 7, body, 1_000, "");
		assert!(matches!(empty.verify(body, 1_000), Err(AuthError::Malformed(_))));
		let longest = SignedRequest::sign(
			&alice,
			"GET",
			"/deals/7/task",
			7,
			body,
			1_000,
			&"n".repeat(MAX_NONCE_BYTES),
		);
		assert!(longest.verify(body, 1_000).is_ok());

		let mut cache = NonceCache::default();
		let signer = alice.account_id();
		for i in 0..NONCES_PER_SIGNER {
			cache.check_and_record(&signer, &i.to_string(), 1_000).unwrap();
		}
		assert!(matches!(
			cache.check_and_record(&signer, "one more", 1_000),
			Err(AuthError::TooManyRequests(_))
		));
		// Others still get in, up to the total.
		let mut others = 0u32;
		let refused = loop {
			let mut bytes = [0u8; 32];
			bytes[..4].copy_from_slice(&others.to_le_bytes());
			match cache.check_and_record(&AccountId32::from(bytes), "n", 1_000) {
				Ok(()) => others += 1,
				Err(error) => break error,
			}
		};
		assert!(matches!(refused, AuthError::TooManyRequests(_)));
		assert_eq!(cache.len(), MAX_NONCES);
		// Once the window has passed, there is room again.
		assert_eq!(
			cache.check_and_record(&signer, "one more", 1_000 + 2 * WINDOW_SECS + 1),
			Ok(())
		);
		assert_eq!(cache.len(), 1);
	}
}
