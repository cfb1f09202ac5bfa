//! Contracts get no randomness: code importing the `random` host functions is refused at
//! upload, while the same module without that import is stored.

use super::preset_storage;
use crate::Runtime;
use pallet_contracts::Determinism;
use sp_keyring::Sr25519Keyring::Alice;

/// A module with `deploy` and `call`, importing `import` (a host function) when given.
fn module(import: Option<&str>) -> Vec<u8> {
	let import = import
		.map(|name| format!(r#"(import {name} (func (param i32 i32 i32 i32)))"#))
		.unwrap_or_default();
	wat::parse_str(format!(
		r#"(module {import} (import "env" "memory" (memory 1 1)) (func (export "call")) (func (export "deploy")))"#
	))
	.expect("the module is valid text")
}

fn upload(code: Vec<u8>) -> Result<(), sp_runtime::DispatchError> {
	pallet_contracts::Pallet::<Runtime>::bare_upload_code(
		Alice.to_account_id(),
		code,
		None,
		Determinism::Enforced,
	)
	.map(|_| ())
}

#[test]
fn code_asking_for_randomness_is_refused_at_upload() {
	preset_storage("local_testnet").execute_with(|| {
		super::start_clock();
		assert_eq!(upload(module(None)), Ok(()));
		for random in [
			r#""seal0" "seal_random""#,
			r#""seal1" "seal_random""#,
			r#""seal0" "random""#,
			r#""seal1" "random""#,
		] {
			assert_eq!(
				upload(module(Some(random))),
				Err(pallet_contracts::Error::<Runtime>::CodeRejected.into()),
				"{random}"
			);
		}
	});
}
