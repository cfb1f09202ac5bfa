//! Root for the council's origin only; the call's own error is the dispatch's.

use crate as pallet_council;
use frame_support::{
	assert_noop, assert_ok, derive_impl,
	traits::{ConstU64, SortedMembers},
};
use sp_runtime::{BuildStorage, DispatchError};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		CouncilRoot: pallet_council,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type BlockHashCount = ConstU64<250>;
}

/// Account 1 stands for a carried motion.
pub struct Council;
impl SortedMembers<u64> for Council {
	fn sorted_members() -> Vec<u64> {
		vec![1]
	}
}

impl pallet_council::Config for Test {
	type RuntimeCall = RuntimeCall;
	type CouncilOrigin = frame_system::EnsureSignedBy<Council, u64>;
}

fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn set_storage(value: &[u8]) -> Box<RuntimeCall> {
	Box::new(RuntimeCall::System(frame_system::Call::set_storage {
		items: vec![(b":council-test".to_vec(), value.to_vec())],
	}))
}

#[test]
fn the_council_dispatches_a_root_call() {
	new_test_ext().execute_with(|| {
		assert_ok!(CouncilRoot::dispatch_as_root(RuntimeOrigin::signed(1), set_storage(b"yes")));
		assert_eq!(sp_io::storage::get(b":council-test").as_deref(), Some(&b"yes"[..]));
		System::assert_last_event(pallet_council::Event::DispatchedAsRoot.into());
	});
}

#[test]
fn anyone_else_is_refused_and_nothing_changes() {
	new_test_ext().execute_with(|| {
		for origin in [RuntimeOrigin::signed(2), RuntimeOrigin::none()] {
			assert_noop!(
				CouncilRoot::dispatch_as_root(origin, set_storage(b"no")),
				DispatchError::BadOrigin
			);
		}
		assert_eq!(sp_io::storage::get(b":council-test"), None);
	});
}

#[test]
fn a_failing_call_fails_the_dispatch_with_its_own_error() {
	new_test_ext().execute_with(|| {
		// Root is not the council: the inner dispatch fails, and so does the outer.
		let nested = Box::new(RuntimeCall::CouncilRoot(crate::Call::dispatch_as_root {
			call: set_storage(b"nested"),
		}));
		let error = CouncilRoot::dispatch_as_root(RuntimeOrigin::signed(1), nested).unwrap_err();
		assert_eq!(error.error, DispatchError::BadOrigin);
		assert_eq!(sp_io::storage::get(b":council-test"), None);
		assert!(System::events().is_empty());
	});
}
