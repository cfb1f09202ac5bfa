//! Every call, its events and fees, and every error path; `try_state` and conservation of the
//! currency after each test (`mock::run`).

use crate::{mock::*, pallet::*, Error, Event, HoldReason};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
};
use sonm_primitives::{traits::IdentityLevelOf, IdentityLevel};
use sp_runtime::DispatchError;

const PROVIDER: AccountId = 1;
const USER: AccountId = 2;
const OTHER_PROVIDER: AccountId = 3;
const STRANGER: AccountId = 4;
const FEE: Balance = 50;
const EVIDENCE: EvidenceHash = [7; 32];

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn text<S: Get<u32>>(value: &str) -> frame_support::BoundedVec<u8, S> {
	value.as_bytes().to_vec().try_into().unwrap()
}

/// Registers `account` as a provider granting up to `max_level` for [`FEE`]; returns its id.
fn register(account: AccountId, max_level: IdentityLevel) -> ProviderId {
	assert_ok!(Kyc::register_provider(
		RuntimeOrigin::root(),
		account,
		text("Acme KYC"),
		text("https://kyc.example"),
		FEE,
		max_level
	));
	NextProviderId::<Test>::get() - 1
}

/// `who` asks provider `id` for `level`, for [`FEE`].
fn request(who: AccountId, id: ProviderId, level: IdentityLevel) {
	assert_ok!(Kyc::request_verification(signed(who), id, level, FEE));
}

/// Root sets provider `id`'s highest level and activity (URL "u", fee [`FEE`]).
fn update(id: ProviderId, max_level: IdentityLevel, active: bool) {
	assert_ok!(Kyc::update_provider(RuntimeOrigin::root(), id, text("u"), FEE, max_level, active));
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::VerificationFee.into(), &who)
}

mod registry {
	use super::*;

	#[test]
	fn root_registers_and_updates_providers() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Identified);
			System::assert_last_event(Event::ProviderRegistered { id, account: PROVIDER }.into());
			assert_ok!(Kyc::update_provider(
				RuntimeOrigin::root(),
				id,
				text("https://kyc.example/v2"),
				FEE * 2,
				IdentityLevel::Professional,
				false
			));
			System::assert_last_event(Event::ProviderUpdated { id }.into());
			let provider = Providers::<Test>::get(id).unwrap();
			assert_eq!(
				(provider.fee, provider.max_level, provider.active),
				(FEE * 2, IdentityLevel::Professional, false)
			);
		});
	}

	#[test]
	fn bad_registrations_are_refused() {
		run(|| {
			assert_noop!(
				Kyc::register_provider(
					signed(PROVIDER),
					PROVIDER,
					text("x"),
					text("y"),
					FEE,
					IdentityLevel::Registered
				),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Kyc::register_provider(
					RuntimeOrigin::root(),
					PROVIDER,
					text("x"),
					text("y"),
					FEE,
					IdentityLevel::Anonymous
				),
				Error::<Test>::LevelTooLow
			);
			for _ in 0..MAX_PROVIDERS {
				register(PROVIDER, IdentityLevel::Registered);
			}
			assert_noop!(
				Kyc::register_provider(
					RuntimeOrigin::root(),
					PROVIDER,
					text("x"),
					text("y"),
					FEE,
					IdentityLevel::Registered
				),
				Error::<Test>::TooManyProviders
			);
			assert_noop!(
				Kyc::update_provider(
					RuntimeOrigin::root(),
					99,
					text("y"),
					FEE,
					IdentityLevel::Registered,
					true
				),
				Error::<Test>::ProviderNotFound
			);
			assert_noop!(
				Kyc::update_provider(
					RuntimeOrigin::root(),
					0,
					text("y"),
					FEE,
					IdentityLevel::Anonymous,
					true
				),
				Error::<Test>::LevelTooLow
			);
			assert_noop!(
				Kyc::update_provider(
					signed(PROVIDER),
					0,
					text("y"),
					FEE,
					IdentityLevel::Registered,
					true
				),
				DispatchError::BadOrigin
			);
		});
	}
}

mod verification {
	use super::*;

	#[test]
	fn a_certification_pays_the_provider_and_raises_the_level_until_expiry() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Identified);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Anonymous);
			request(USER, id, IdentityLevel::Identified);
			System::assert_last_event(
				Event::VerificationRequested {
					who: USER,
					provider: id,
					level: IdentityLevel::Identified,
				}
				.into(),
			);
			assert_eq!(held(USER), FEE);
			let expires_at = now() + 100;
			assert_ok!(Kyc::certify(signed(PROVIDER), id, USER, expires_at, EVIDENCE));
			System::assert_last_event(
				Event::Certified {
					who: USER,
					provider: id,
					level: IdentityLevel::Identified,
					expires_at,
				}
				.into(),
			);
			assert_eq!(held(USER), 0);
			assert_eq!(Balances::balance(&USER), START - FEE);
			assert_eq!(Balances::balance(&PROVIDER), START + FEE);
			assert_eq!(Kyc::certification(&USER, id).unwrap().evidence, EVIDENCE);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Identified);
			advance(99);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Identified);
			advance(1);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Anonymous, "expired");
		});
	}

	#[test]
	fn the_effective_level_is_the_highest_valid_certification() {
		run(|| {
			let phone = register(PROVIDER, IdentityLevel::Registered);
			let office = register(OTHER_PROVIDER, IdentityLevel::Professional);
			request(USER, phone, IdentityLevel::Registered);
			assert_ok!(Kyc::certify(signed(PROVIDER), phone, USER, now() + 1_000, EVIDENCE));
			request(USER, office, IdentityLevel::Professional);
			assert_ok!(Kyc::certify(signed(OTHER_PROVIDER), office, USER, now() + 10, EVIDENCE));
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Professional);
			advance(10);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Registered);
			assert_ok!(Kyc::revoke(signed(PROVIDER), phone, USER));
			System::assert_last_event(Event::Revoked { who: USER, provider: phone }.into());
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Anonymous);
			assert_eq!(Certifications::<Test>::get(USER).len(), 1, "the expired one stays stored");
		});
	}

	#[test]
	fn a_providers_new_certification_replaces_its_old_one() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Identified);
			request(USER, id, IdentityLevel::Identified);
			assert_ok!(Kyc::certify(signed(PROVIDER), id, USER, now() + 10, EVIDENCE));
			request(USER, id, IdentityLevel::Registered);
			assert_ok!(Kyc::certify(signed(PROVIDER), id, USER, now() + 20, [8; 32]));
			assert_eq!(Certifications::<Test>::get(USER).len(), 1);
			assert_eq!(Kyc::certification(&USER, id).unwrap().evidence, [8; 32]);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Registered);
		});
	}

	#[test]
	fn rejection_and_cancellation_return_the_fee() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Identified);
			request(USER, id, IdentityLevel::Registered);
			assert_ok!(Kyc::reject(signed(PROVIDER), id, USER));
			System::assert_last_event(Event::Rejected { who: USER, provider: id }.into());
			assert_eq!((held(USER), Balances::balance(&USER)), (0, START));
			request(USER, id, IdentityLevel::Registered);
			assert_ok!(Kyc::cancel_request(signed(USER), id));
			System::assert_last_event(Event::RequestCancelled { who: USER, provider: id }.into());
			assert_eq!((held(USER), Balances::balance(&USER)), (0, START));
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Anonymous);
		});
	}

	#[test]
	fn bad_requests_are_refused() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Registered);
			let request =
				|level, max_fee| Kyc::request_verification(signed(USER), id, level, max_fee);
			assert_noop!(
				Kyc::request_verification(signed(USER), 99, IdentityLevel::Registered, FEE),
				Error::<Test>::ProviderNotFound
			);
			assert_noop!(request(IdentityLevel::Anonymous, FEE), Error::<Test>::LevelTooLow);
			assert_noop!(
				request(IdentityLevel::Identified, FEE),
				Error::<Test>::LevelAboveProviderMax
			);
			assert_noop!(request(IdentityLevel::Registered, FEE - 1), Error::<Test>::FeeAboveMax);
			assert_ok!(request(IdentityLevel::Registered, FEE));
			assert_noop!(request(IdentityLevel::Registered, FEE), Error::<Test>::RequestPending);
			assert_noop!(Kyc::cancel_request(signed(STRANGER), id), Error::<Test>::RequestNotFound);
			let dear = register(OTHER_PROVIDER, IdentityLevel::Registered);
			assert_ok!(Kyc::update_provider(
				RuntimeOrigin::root(),
				dear,
				text("u"),
				START + 1,
				IdentityLevel::Registered,
				true
			));
			assert_noop!(
				Kyc::request_verification(signed(USER), dear, IdentityLevel::Registered, START + 1),
				Error::<Test>::InsufficientBalance
			);
			update(dear, IdentityLevel::Registered, false);
			assert_noop!(
				Kyc::request_verification(signed(USER), dear, IdentityLevel::Registered, FEE),
				Error::<Test>::ProviderInactive
			);
		});
	}

	#[test]
	fn only_the_provider_certifies_rejects_and_revokes() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Registered);
			request(USER, id, IdentityLevel::Registered);
			assert_noop!(
				Kyc::certify(signed(STRANGER), id, USER, now() + 10, EVIDENCE),
				Error::<Test>::NotProvider
			);
			assert_noop!(
				Kyc::certify(signed(PROVIDER), id, USER, now(), EVIDENCE),
				Error::<Test>::ExpiryInPast
			);
			assert_noop!(
				Kyc::certify(signed(PROVIDER), id, STRANGER, now() + 10, EVIDENCE),
				Error::<Test>::RequestNotFound
			);
			assert_noop!(
				Kyc::certify(signed(PROVIDER), 99, USER, now() + 10, EVIDENCE),
				Error::<Test>::ProviderNotFound
			);
			assert_noop!(Kyc::reject(signed(STRANGER), id, USER), Error::<Test>::NotProvider);
			assert_noop!(
				Kyc::reject(signed(PROVIDER), id, STRANGER),
				Error::<Test>::RequestNotFound
			);
			assert_ok!(Kyc::certify(signed(PROVIDER), id, USER, now() + 10, EVIDENCE));
			assert_noop!(Kyc::revoke(signed(STRANGER), id, USER), Error::<Test>::NotProvider);
			assert_noop!(
				Kyc::revoke(signed(PROVIDER), id, STRANGER),
				Error::<Test>::CertificationNotFound
			);
			// Governance may revoke too.
			assert_ok!(Kyc::revoke(RuntimeOrigin::root(), id, USER));
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Anonymous);
			assert!(!Certifications::<Test>::contains_key(USER), "no empty list is kept");
		});
	}

	#[test]
	fn an_inactive_provider_cannot_certify_but_its_certifications_stand() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Registered);
			request(USER, id, IdentityLevel::Registered);
			assert_ok!(Kyc::certify(signed(PROVIDER), id, USER, now() + 10, EVIDENCE));
			request(STRANGER, id, IdentityLevel::Registered);
			update(id, IdentityLevel::Registered, false);
			assert_noop!(
				Kyc::certify(signed(PROVIDER), id, STRANGER, now() + 10, EVIDENCE),
				Error::<Test>::ProviderInactive
			);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Registered);
			// The pending request can still be rejected or cancelled, and its fee comes back.
			assert_ok!(Kyc::reject(signed(PROVIDER), id, STRANGER));
			assert_eq!(held(STRANGER), 0);
		});
	}
}

mod review_fixes {
	use super::*;

	/// Governance lowers a provider's highest level after a user asked for more: the provider
	/// certifies at its highest level now, no higher.
	#[test]
	fn certify_grants_at_most_the_providers_current_highest_level() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Professional);
			request(USER, id, IdentityLevel::Professional);
			update(id, IdentityLevel::Registered, true);
			let expires_at = now() + 100;
			assert_ok!(Kyc::certify(signed(PROVIDER), id, USER, expires_at, EVIDENCE));
			System::assert_last_event(
				Event::Certified {
					who: USER,
					provider: id,
					level: IdentityLevel::Registered,
					expires_at,
				}
				.into(),
			);
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Registered);
		});
	}

	/// A removed provider frees its slot: a full registry takes a new provider after a removal,
	/// with a new id; the removed one's certification stands until revoked by governance, and
	/// a request to it can be cancelled for its fee.
	#[test]
	fn a_removed_provider_frees_its_slot_for_another() {
		run(|| {
			let first = register(PROVIDER, IdentityLevel::Registered);
			for _ in 1..MAX_PROVIDERS {
				register(OTHER_PROVIDER, IdentityLevel::Registered);
			}
			request(USER, first, IdentityLevel::Registered);
			assert_ok!(Kyc::certify(signed(PROVIDER), first, USER, now() + 10, EVIDENCE));
			request(STRANGER, first, IdentityLevel::Registered);
			assert_noop!(Kyc::remove_provider(signed(PROVIDER), first), DispatchError::BadOrigin);
			assert_ok!(Kyc::remove_provider(RuntimeOrigin::root(), first));
			System::assert_last_event(Event::ProviderRemoved { id: first }.into());
			assert_noop!(
				Kyc::remove_provider(RuntimeOrigin::root(), first),
				Error::<Test>::ProviderNotFound
			);
			let newcomer = register(PROVIDER, IdentityLevel::Identified);
			assert_eq!(newcomer, MAX_PROVIDERS, "ids are never reused");
			assert_eq!(Providers::<Test>::count(), MAX_PROVIDERS);
			// The old certification stands; the old request cannot be certified, only cancelled.
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Registered);
			assert_noop!(
				Kyc::certify(signed(PROVIDER), first, STRANGER, now() + 10, EVIDENCE),
				Error::<Test>::ProviderNotFound
			);
			assert_ok!(Kyc::cancel_request(signed(STRANGER), first));
			assert_eq!(held(STRANGER), 0);
			assert_ok!(Kyc::revoke(RuntimeOrigin::root(), first, USER));
			assert_eq!(Kyc::identity_level(&USER), IdentityLevel::Anonymous);
		});
	}

	/// A user certified by as many providers as the registry holds, one of them removed, can
	/// still be certified by a new provider once an old certification has expired.
	#[test]
	fn a_full_list_of_certifications_drops_expired_ones_for_a_new_provider() {
		run(|| {
			let mut ids = Vec::new();
			for _ in 0..MAX_PROVIDERS {
				let id = register(PROVIDER, IdentityLevel::Registered);
				request(USER, id, IdentityLevel::Registered);
				assert_ok!(Kyc::certify(
					signed(PROVIDER),
					id,
					USER,
					now() + 10 + id as u64,
					EVIDENCE
				));
				ids.push(id);
			}
			assert_ok!(Kyc::remove_provider(RuntimeOrigin::root(), ids[0]));
			let newcomer = register(PROVIDER, IdentityLevel::Registered);
			request(USER, newcomer, IdentityLevel::Registered);
			advance(10);
			assert_ok!(Kyc::certify(signed(PROVIDER), newcomer, USER, now() + 100, EVIDENCE));
			let listed: Vec<ProviderId> =
				Certifications::<Test>::get(USER).iter().map(|(id, _)| *id).collect();
			assert_eq!(listed, vec![ids[1], ids[2], newcomer], "the expired one made room");
		});
	}
}

mod profiles {
	use super::*;
	use sp_runtime::traits::{BlakeTwo256, Hash};

	fn profile(company: &str) -> ProfileAttributes {
		ProfileAttributes {
			company: text(company),
			site_url: text("https://example.com"),
			social: vec![text("https://x.example/acme")].try_into().unwrap(),
			..Default::default()
		}
	}

	fn hash(attributes: &ProfileAttributes) -> sp_core::H256 {
		BlakeTwo256::hash_of(attributes)
	}

	fn profile_held(who: AccountId) -> Balance {
		Balances::balance_on_hold(&HoldReason::Profile.into(), &who)
	}

	#[test]
	fn a_profile_is_shown_only_as_approved() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Identified);
			let first = profile("Acme");
			assert_ok!(Kyc::submit_profile(signed(USER), first.clone()));
			System::assert_last_event(
				Event::ProfileSubmitted { who: USER, hash: hash(&first) }.into(),
			);
			assert_eq!(profile_held(USER), PROFILE_DEPOSIT);
			assert!(ApprovedProfiles::<Test>::get(USER).is_none(), "not shown before approval");
			assert_ok!(Kyc::approve_profile(signed(PROVIDER), Some(id), USER, hash(&first)));
			System::assert_last_event(
				Event::ProfileApproved {
					who: USER,
					hash: hash(&first),
					by: Approver::Provider(id),
				}
				.into(),
			);
			assert_eq!(
				ApprovedProfiles::<Test>::get(USER),
				Some((first.clone(), Approver::Provider(id)))
			);

			// A change needs a new approval; until then the approved content stays shown.
			let second = profile("Acme Cloud");
			assert_ok!(Kyc::submit_profile(signed(USER), second.clone()));
			assert_eq!(profile_held(USER), PROFILE_DEPOSIT, "the deposit is held once");
			assert_noop!(
				Kyc::approve_profile(signed(PROVIDER), Some(id), USER, hash(&first)),
				Error::<Test>::ProfileChanged
			);
			assert_eq!(ApprovedProfiles::<Test>::get(USER).unwrap().0, first);
			assert_ok!(Kyc::approve_profile(RuntimeOrigin::root(), None, USER, hash(&second)));
			assert_eq!(ApprovedProfiles::<Test>::get(USER), Some((second, Approver::Moderator)));

			assert_ok!(Kyc::withdraw_profile(signed(USER)));
			System::assert_last_event(Event::ProfileWithdrawn { who: USER }.into());
			assert!(ApprovedProfiles::<Test>::get(USER).is_none());
			assert!(Profiles::<Test>::get(USER).is_none());
			assert_eq!((profile_held(USER), Balances::balance(&USER)), (0, START));
		});
	}

	#[test]
	fn bad_profile_calls_are_refused() {
		run(|| {
			let id = register(PROVIDER, IdentityLevel::Identified);
			let attributes = profile("Acme");
			assert_noop!(
				Kyc::approve_profile(signed(PROVIDER), Some(id), USER, hash(&attributes)),
				Error::<Test>::ProfileNotFound
			);
			assert_noop!(Kyc::withdraw_profile(signed(USER)), Error::<Test>::ProfileNotFound);
			assert_ok!(Kyc::submit_profile(signed(USER), attributes.clone()));
			assert_noop!(
				Kyc::approve_profile(signed(STRANGER), Some(id), USER, hash(&attributes)),
				Error::<Test>::NotProvider
			);
			assert_noop!(
				Kyc::approve_profile(signed(STRANGER), None, USER, hash(&attributes)),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Kyc::approve_profile(signed(PROVIDER), Some(99), USER, hash(&attributes)),
				Error::<Test>::ProviderNotFound
			);
			// An account with too little for the deposit.
			assert_ok!(Balances::transfer_allow_death(signed(STRANGER), USER, START - 10));
			assert_noop!(
				Kyc::submit_profile(signed(STRANGER), attributes),
				Error::<Test>::InsufficientBalance
			);
		});
	}
}
