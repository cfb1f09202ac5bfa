//! What every weight builds on, measured on the reference machine (do not edit the generated
//! files by hand): a ParityDB read and write, an empty block and a no-op extrinsic
//! (`scripts/benchmark-runtime-constants.sh`); the transaction extensions of frame-system and
//! transaction payment, which every signed extrinsic pays, and the balances pallet's calls, whose
//! transfers every throughput figure is taken in proportion to (`scripts/benchmark-pallets.sh`).

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system_extensions;
pub mod pallet_balances;
pub mod pallet_transaction_payment;
// The generated file documents the fields of a struct literal.
#[allow(unused_doc_comments)]
pub mod paritydb_weights;
