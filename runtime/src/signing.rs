//! Building signed transactions natively, for the node's extrinsic benchmarks and the node's
//! end-to-end tests. Wallets do the same from the metadata (polkadot.js, subxt, papi).

use crate::{
	Hash, Nonce, Runtime, RuntimeCall, Signature, SignedPayload, TxExtension, UncheckedExtrinsic,
	VERSION,
};
use codec::Encode;
use sp_core::{sr25519, Pair};
use sp_runtime::{generic::Era, AccountId32};

/// `call` signed by `signer` with `nonce`. `era` is the transaction's lifetime and
/// `era_start_hash` the hash of the block it starts at (the genesis hash for an immortal one).
pub fn sign_extrinsic(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	nonce: Nonce,
	era: Era,
	genesis_hash: Hash,
	era_start_hash: Hash,
) -> UncheckedExtrinsic {
	let tx_ext: TxExtension = (
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	// What the extensions add to the signed payload without putting it in the transaction:
	// spec and transaction versions, genesis hash, era start hash, no metadata hash.
	let implicit = (
		(),
		VERSION.spec_version,
		VERSION.transaction_version,
		genesis_hash,
		era_start_hash,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		AccountId32::from(signer.public()).into(),
		Signature::Sr25519(signature),
		tx_ext,
	)
}
