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

use sha2::{Digest, Sha256};
use std::{
	collections::{HashMap, HashSet, VecDeque},
	str::FromStr,
};
pub use subxt_utils_accountid32::AccountId32;

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

/// A key that signs requests and session grants: the client's keys, held in a file, a
/// keystore or a page.
pub trait RequestSigner {
	/// The key's account in SS58.
	fn address(&self) -> String;
	/// An sr25519 signature over `message` (in the `substrate` signing context).
	fn sign_bytes(&self, message: &[u8]) -> [u8; 64];
}

/// The wrapping polkadot.js-compatible wallets put around what `signRaw` signs.
pub const WRAP_PREFIX: &[u8] = b"<Bytes>";
pub const WRAP_SUFFIX: &[u8] = b"</Bytes>";

/// A customer's grant of one deal's control plane to a short-lived session key: signed once
/// by the customer's wallet, then carried with every request the session key signs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

impl AuthError {
	/// The control plane's name for it (`BadSignature`, `SessionExpired`, ...), as the worker
	/// answers it and the page shows it.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Malformed(_) => "Malformed",
			Self::BadSignature => "BadSignature",
			Self::BodyMismatch => "BodyMismatch",
			Self::Stale { .. } => "Stale",
			Self::Replayed(_) => "Replayed",
			Self::TooManyRequests(_) => "TooManyRequests",
			Self::NotAllowed { .. } => "NotAllowed",
			Self::SessionExpired { .. } => "SessionExpired",
			Self::SessionRefused(_) => "SessionRefused",
		}
	}
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
		key: &impl RequestSigner,
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
	pub fn with_session(mut self, session_key: &impl RequestSigner, grant: SessionGrant) -> Self {
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
	pub fn sign(
		customer: &impl RequestSigner,
		deal: u64,
		session: &AccountId32,
		expires_at: u64,
	) -> Self {
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
	schnorrkel::PublicKey::from_bytes(&account.0)
		.map_err(|_| AuthError::Malformed("not an sr25519 public key".into()))?;
	let bytes: [u8; 64] = hex::decode(signature.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| bytes.try_into().ok())
		.ok_or_else(|| AuthError::Malformed("the signature is not 64 hex bytes".into()))?;
	schnorrkel::Signature::from_bytes(&bytes)
		.map_err(|_| AuthError::Malformed("not an sr25519 signature".into()))?;
	let signed = |message: &[u8]| sr25519_signed(&account.0, message, &bytes);
	if !signed(message) && !signed(&wallet_wrapped(message)) {
		return Err(AuthError::BadSignature);
	}
	Ok(account)
}

/// Whether `signature` is `public`'s sr25519 signature over exactly `message`, in Substrate's
/// signing context: what the chain checks of a `MultiSignature::Sr25519`. A key or signature
/// that is no sr25519 one signs nothing.
pub fn sr25519_signed(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
	let (Ok(public), Ok(signature)) =
		(schnorrkel::PublicKey::from_bytes(public), schnorrkel::Signature::from_bytes(signature))
	else {
		return false;
	};
	public
		.verify(schnorrkel::signing_context(b"substrate").bytes(message), &signature)
		.is_ok()
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
