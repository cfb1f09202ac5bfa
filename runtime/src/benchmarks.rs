//! The pallets whose benchmarks `sonm-node benchmark pallet` runs against this runtime.
//! Each SONM pallet adds itself here when it lands.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_sudo, Sudo]
	[pallet_utility, Utility]
	[pallet_market, Market]
	[pallet_blacklist, Blacklist]
	[pallet_kyc, Kyc]
	[pallet_masternodes, Masternodes]
	[pallet_oracle, Oracle]
	[pallet_gatekeeper, Gatekeeper]
);
