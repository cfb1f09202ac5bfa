//! A host's identity: an ed25519 key, kept as its protobuf bytes (libp2p's own encoding) so that
//! the peer id survives restarts.

use libp2p::identity::Keypair;

/// A new identity's bytes.
pub fn generate() -> Vec<u8> {
	Keypair::generate_ed25519()
		.to_protobuf_encoding()
		.expect("an ed25519 key encodes")
}

/// The identity kept as `bytes`.
pub fn from_bytes(bytes: &[u8]) -> Result<Keypair, String> {
	Keypair::from_protobuf_encoding(bytes).map_err(|e| format!("a damaged libp2p identity: {e}"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_identity_reads_back_as_the_same_peer() {
		let bytes = generate();
		let first = from_bytes(&bytes).unwrap().public().to_peer_id();
		assert_eq!(from_bytes(&bytes).unwrap().public().to_peer_id(), first);
		assert_ne!(from_bytes(&generate()).unwrap().public().to_peer_id(), first);
		assert!(from_bytes(b"junk").is_err());
	}
}
