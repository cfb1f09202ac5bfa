//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-12-06 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `AMD EPYC`
//!
//! SHORT-NAME: `extrinsic`, LONG-NAME: `ExtrinsicBase`, RUNTIME: `SONM Development`
//! WARMUPS: `5`, REPEAT: `50`
//! WEIGHT-PATH: `runtime/src/weights`
//! WEIGHT-METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/sonm-target/release/sonm-node
//   benchmark
//   overhead
//   --chain
//   dev
//   --base-path
//   /tmp/tmp.kNXYFbLUOk/overhead
//   --warmup
//   5
//   --repeat
//   50
//   --weight-path
//   runtime/src/weights

use sp_core::parameter_types;
use sp_weights::{constants::WEIGHT_REF_TIME_PER_NANOS, Weight};

parameter_types! {
	/// Weight of executing a NO-OP extrinsic, for example `System::remark`.
	/// Calculated by multiplying the *Average* with `1.0` and adding `0`.
	///
	/// Stats nanoseconds:
	///   Min, Max: 155_234, 171_186
	///   Average:  158_680
	///   Median:   157_923
	///   Std-Dev:  3156.28
	///
	/// Percentiles nanoseconds:
	///   99th: 171_186
	///   95th: 165_261
	///   75th: 159_047
	///
	/// Less the transaction extensions' measured execution, which every signed extrinsic's
	/// weight carries on its own (scripts/benchmark-runtime-constants.sh), in nanoseconds:
	/// 158_680 - 121_990 = 36_690, the extensions being
	///   check_non_zero_sender 922
	///   check_spec_version 682
	///   check_tx_version 692
	///   check_genesis 3_286
	///   check_mortality_mortal_transaction 6_472
	///   check_nonce 12_163
	///   check_weight 7_163
	///   weight_reclaim 4_318
	///   charge_transaction_payment 86_292
	pub const ExtrinsicBaseWeight: Weight =
		Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul(36_690), 0);
}

#[cfg(test)]
mod test_weights {
	use sp_weights::constants;

	/// Checks that the weight exists and is sane.
	// NOTE: If this test fails but you are sure that the generated values are fine,
	// you can delete it.
	#[test]
	fn sane() {
		let w = super::ExtrinsicBaseWeight::get();

		// At least 10 µs.
		assert!(
			w.ref_time() >= 10u64 * constants::WEIGHT_REF_TIME_PER_MICROS,
			"Weight should be at least 10 µs."
		);
		// At most 1 ms.
		assert!(
			w.ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
			"Weight should be at most 1 ms."
		);
	}
}
