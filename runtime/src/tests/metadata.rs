//! The client's checked-in metadata (`client/metadata.scale`, from which `sonm-client` generates
//! its typed calls, storage and events) is what this runtime produces. After a change to a call,
//! an event, an error or a type, regenerate it with
//! `SONM_UPDATE_METADATA=1 cargo test -p sonm-runtime --lib metadata` and rebuild the client.

use crate::Runtime;

/// Where the client reads its metadata, relative to this crate.
const CLIENT_METADATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../client/metadata.scale");

/// The newest stable metadata version the runtime serves (`u32::MAX` marks the unstable one).
fn newest_stable_version() -> u32 {
	sp_io::TestExternalities::default()
		.execute_with(Runtime::metadata_versions)
		.into_iter()
		.filter(|version| *version != u32::MAX)
		.max()
		.expect("the runtime serves at least one metadata version")
}

/// The metadata bytes as a node serves them from `Metadata_metadata_at_version` (some pallet
/// constants read storage, hence the externalities).
fn runtime_metadata() -> Vec<u8> {
	sp_io::TestExternalities::default().execute_with(|| {
		let version = newest_stable_version();
		Runtime::metadata_at_version(version)
			.unwrap_or_else(|| panic!("metadata version {version} is listed, so it is served"))
			.to_vec()
	})
}

#[test]
fn client_metadata_is_what_the_runtime_produces() {
	let produced = runtime_metadata();
	if std::env::var_os("SONM_UPDATE_METADATA").is_some() {
		std::fs::write(CLIENT_METADATA, &produced).expect("client/metadata.scale is writable");
		return;
	}
	let checked_in = std::fs::read(CLIENT_METADATA).unwrap_or_default();
	assert!(
		checked_in == produced,
		"client/metadata.scale ({} bytes) is not the metadata v{} this runtime produces ({} bytes): \
		 run `SONM_UPDATE_METADATA=1 cargo test -p sonm-runtime --lib metadata` and rebuild sonm-client",
		checked_in.len(),
		newest_stable_version(),
		produced.len(),
	);
}
