//! The runtime APIs the node, wallets and tools call into: block execution, transaction
//! validation, consensus, nonces and fees, the market's and the trust pallets' reads, genesis
//! presets, contracts
//! dry-runs, benchmarks.

use crate::{
	genesis_config_presets, opaque, AccountId, Aura, Balance, Blacklist, Block, BlockNumber,
	Contracts, Executive, Gatekeeper, Grandpa, Hash, InherentDataExt, Kyc, Market, Masternodes,
	Nonce, Oracle, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, System,
	TransactionPayment, VERSION,
};
use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sonm_primitives::{
	market::{DealId, OrderFilter, OrderId, Side},
	masternodes::SessionIndex,
	traits::PriceInfo,
	trust::ProviderId,
	Currency, IdentityLevel,
};
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_session::OpaqueGeneratedSessionKeys;
use sp_version::RuntimeVersion;

/// The most deposits or withdrawals one `GatekeeperApi` call returns.
const GATEKEEPER_PAGE: u32 = 500;

/// The event record type that contracts dry-runs return.
type EventRecord = frame_system::EventRecord<RuntimeEvent, Hash>;

/// The market's stored order, deal and change request, as its runtime API returns them.
pub type MarketOrder = pallet_market::Order<Runtime>;
pub type MarketDeal = pallet_market::DealOf<Runtime>;
pub type MarketChangeRequest = pallet_market::ChangeRequest<Balance>;
/// A published curated blacklist, as `BlacklistApi` returns it.
pub type CuratedList = pallet_blacklist::CuratedList<Balance>;
/// A KYC provider, as `KycApi` returns it.
pub type KycProvider = pallet_kyc::Provider<AccountId, Balance>;
/// A pending KYC request, as `KycApi` returns it.
pub type KycRequest = pallet_kyc::Request<Balance>;
/// A registered masternode, as `MasternodesApi` returns it.
pub type MasternodeRecord = pallet_masternodes::Masternode<Runtime>;
/// An approved profile and who approved it, as `KycApi` returns it.
pub type ApprovedProfile = (pallet_kyc::ProfileAttributes, pallet_kyc::Approver);

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> OpaqueGeneratedSessionKeys {
			opaque::SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			opaque::SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			// `KeyOwnerProof` is the empty type until sessions exist: no proof can be made.
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}

		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_contracts::ContractsApi<Block, AccountId, Balance, BlockNumber, Hash, EventRecord>
		for Runtime
	{
		fn call(
			origin: AccountId,
			dest: AccountId,
			value: Balance,
			gas_limit: Option<Weight>,
			storage_deposit_limit: Option<Balance>,
			input_data: Vec<u8>,
		) -> pallet_contracts::ContractExecResult<Balance, EventRecord> {
			let gas_limit = gas_limit.unwrap_or(crate::configs::RuntimeBlockWeights::get().max_block);
			Contracts::bare_call(
				origin,
				dest,
				value,
				gas_limit,
				storage_deposit_limit,
				input_data,
				pallet_contracts::DebugInfo::UnsafeDebug,
				pallet_contracts::CollectEvents::UnsafeCollect,
				pallet_contracts::Determinism::Enforced,
			)
		}

		fn instantiate(
			origin: AccountId,
			value: Balance,
			gas_limit: Option<Weight>,
			storage_deposit_limit: Option<Balance>,
			code: pallet_contracts::Code<Hash>,
			data: Vec<u8>,
			salt: Vec<u8>,
		) -> pallet_contracts::ContractInstantiateResult<AccountId, Balance, EventRecord> {
			let gas_limit = gas_limit.unwrap_or(crate::configs::RuntimeBlockWeights::get().max_block);
			Contracts::bare_instantiate(
				origin,
				value,
				gas_limit,
				storage_deposit_limit,
				code,
				data,
				salt,
				pallet_contracts::DebugInfo::UnsafeDebug,
				pallet_contracts::CollectEvents::UnsafeCollect,
			)
		}

		fn upload_code(
			origin: AccountId,
			code: Vec<u8>,
			storage_deposit_limit: Option<Balance>,
			determinism: pallet_contracts::Determinism,
		) -> pallet_contracts::CodeUploadResult<Hash, Balance> {
			Contracts::bare_upload_code(origin, code, storage_deposit_limit, determinism)
		}

		fn get_storage(address: AccountId, key: Vec<u8>) -> pallet_contracts::GetStorageResult {
			Contracts::get_storage(address, key)
		}
	}

	impl sonm_primitives::market::MarketApi<Block, AccountId, MarketOrder, MarketDeal, MarketChangeRequest>
		for Runtime
	{
		fn order(id: OrderId) -> Option<MarketOrder> {
			pallet_market::Orders::<Runtime>::get(id.to_be_bytes())
		}

		fn deal(id: DealId) -> Option<MarketDeal> {
			Market::current_deal(id)
		}

		fn orders(filter: OrderFilter<AccountId>, from: OrderId, limit: u32) -> Vec<(OrderId, MarketOrder)> {
			Market::orders(&filter, from, limit)
		}

		fn deals_of(who: AccountId, from: DealId, limit: u32) -> Vec<(DealId, MarketDeal)> {
			Market::deals_of(&who, from, limit)
		}

		fn change_requests(id: DealId) -> Vec<(Side, MarketChangeRequest)> {
			Market::change_requests(id)
		}

		fn matching_orders(id: OrderId, limit: u32) -> Vec<(OrderId, MarketOrder)> {
			Market::matching_orders(id, limit)
		}

		fn match_facts(
			facts: Vec<sonm_primitives::matching::Fact<AccountId>>,
		) -> Vec<sonm_primitives::matching::FactAnswer<AccountId>> {
			Market::match_facts(&facts)
		}

		fn close_quote(id: DealId) -> Option<sonm_primitives::market::CloseQuote> {
			Market::close_quote(id)
		}
	}

	impl sonm_primitives::trust::BlacklistApi<Block, AccountId, CuratedList> for Runtime {
		fn list(owner: AccountId) -> Vec<AccountId> {
			Blacklist::list_of(&owner)
		}

		fn subscriptions(who: AccountId) -> Vec<AccountId> {
			pallet_blacklist::Subscriptions::<Runtime>::get(who).into_inner()
		}

		fn curated_lists() -> Vec<(AccountId, CuratedList)> {
			Blacklist::curated_lists()
		}

		fn is_blocked(who: AccountId, whom: AccountId) -> bool {
			Blacklist::is_blocked(&who, &whom)
		}
	}

	impl sonm_primitives::trust::KycApi<
		Block,
		AccountId,
		KycProvider,
		KycRequest,
		pallet_kyc::Certification,
		ApprovedProfile,
	> for Runtime {
		fn providers() -> Vec<(ProviderId, KycProvider)> {
			Kyc::providers()
		}

		fn identity_level(who: AccountId) -> IdentityLevel {
			Kyc::level_of(&who)
		}

		fn certifications(who: AccountId) -> Vec<(ProviderId, pallet_kyc::Certification)> {
			pallet_kyc::Certifications::<Runtime>::get(who).into_inner()
		}

		fn requests(who: AccountId) -> Vec<(ProviderId, KycRequest)> {
			Kyc::requests_of(&who)
		}

		fn approved_profile(who: AccountId) -> Option<ApprovedProfile> {
			pallet_kyc::ApprovedProfiles::<Runtime>::get(who)
		}
	}

	impl sonm_primitives::masternodes::MasternodesApi<Block, AccountId, Balance, MasternodeRecord>
		for Runtime
	{
		fn session() -> (SessionIndex, u32) {
			(
				pallet_masternodes::CurrentSession::<Runtime>::get(),
				pallet_masternodes::SessionLength::<Runtime>::get(),
			)
		}

		fn active_set() -> Vec<(AccountId, Balance)> {
			pallet_masternodes::ActiveSet::<Runtime>::get().into_inner()
		}

		fn masternodes() -> Vec<(AccountId, MasternodeRecord, Option<SessionIndex>)> {
			pallet_masternodes::Registry::<Runtime>::iter()
				.map(|(who, masternode)| {
					let offline = pallet_masternodes::Offline::<Runtime>::get(&who);
					(who, masternode, offline)
				})
				.collect()
		}

		fn pending_reward(who: AccountId) -> Balance {
			Masternodes::pending_reward(&who)
		}
	}

	impl sonm_primitives::masternodes::OracleApi<Block, AccountId, Balance> for Runtime {
		fn prices() -> Vec<(Currency, PriceInfo<Balance>, u64, bool)> {
			let now = pallet_timestamp::Now::<Runtime>::get() / 1_000;
			pallet_oracle::Prices::<Runtime>::iter()
				.map(|(currency, price)| {
					let age = now.saturating_sub(price.updated_at);
					(currency, price, age, Oracle::fresh_price(currency).is_some())
				})
				.collect()
		}

		fn feeds(currency: Currency) -> Vec<(AccountId, Balance, u64)> {
			pallet_oracle::Feeds::<Runtime>::get(currency)
				.into_iter()
				.map(|(feeder, feed)| (feeder, feed.snm_per_unit, feed.at))
				.collect()
		}
	}

	impl sonm_primitives::gatekeeper::GatekeeperApi<Block, AccountId, Balance> for Runtime {
		fn state() -> sonm_primitives::gatekeeper::GatekeeperState<Balance> {
			Gatekeeper::state()
		}

		fn deposits(
			from: u64,
			limit: u32,
		) -> Vec<sonm_primitives::gatekeeper::DepositInfo<AccountId, Balance>> {
			Gatekeeper::deposits_from(from, limit.min(GATEKEEPER_PAGE))
		}

		fn deposit(
			key: sonm_primitives::gatekeeper::DepositKey,
		) -> Option<sonm_primitives::gatekeeper::DepositInfo<AccountId, Balance>> {
			Gatekeeper::deposit_info(key)
		}

		fn withdrawals(
			from: u64,
			limit: u32,
		) -> Vec<sonm_primitives::gatekeeper::WithdrawalInfo<AccountId, Balance>> {
			Gatekeeper::withdrawals_from(from, limit.min(GATEKEEPER_PAGE))
		}

		fn signer_set(
			id: Option<sonm_primitives::gatekeeper::SetId>,
		) -> Option<sonm_primitives::gatekeeper::SignerSetInfo> {
			Gatekeeper::signer_set_info(id)
		}

		fn eth_key(who: AccountId) -> Option<sonm_primitives::gatekeeper::EthAddress> {
			Gatekeeper::eth_key_of(&who)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use crate::{Balances, Sudo, Timestamp, Utility};
			use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkList};
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::{extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench};

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = crate::AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use crate::{Balances, Sudo, Timestamp, Utility};
			use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkBatch};
			use frame_support::traits::{TrackedStorageKey, WhitelistedStorageKeys};
			use frame_system_benchmarking::{extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench};

			impl frame_system_benchmarking::Config for Runtime {}
			impl pallet_transaction_payment::BenchmarkConfig for Runtime {}
			impl frame_benchmarking::baseline::Config for Runtime {}

			let mut whitelist: Vec<TrackedStorageKey> = crate::AllPalletsWithSystem::whitelisted_storage_keys();
			// Read or written by thousands of a block's extrinsics in the block's overlay,
			// committed once: a block's base weight pays for them
			// (`configs::market::BLOCK_WIDE_KEYS_ONCE_A_BLOCK`).
			whitelist.extend(
				crate::configs::market::block_wide_storage_keys().into_iter().map(Into::into),
			);

			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);

			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			let weight = Executive::try_runtime_upgrade(checks).unwrap();
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("execute-block failed")
		}
	}
}
