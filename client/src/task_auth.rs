//! Signed requests to a worker's task control plane: the requests, grants and checks are
//! [`sonm_terms::task_auth`]'s (written once for the worker, this client and the web console's
//! WebAssembly); the client's [`Key`] signs them, and [`unix_now`] is the clock they are
//! signed and checked against.

pub use sonm_terms::task_auth::*;

use crate::Key;

impl RequestSigner for Key {
	fn address(&self) -> String {
		Key::address(self)
	}

	fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
		Key::sign_bytes(self, message)
	}
}

/// The clock requests are signed and checked against: unix seconds now.
pub fn unix_now() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|since| since.as_secs())
		.unwrap_or_default()
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
