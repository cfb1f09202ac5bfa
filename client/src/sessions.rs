//! The masternodes' sessions: how many blocks one lasts. A session's change takes its block
//! (no extrinsics in it), so the dev and local chains' ten-block sessions carry a tenth less than
//! production's hour-long ones; a throughput figure says which it was measured with.

use crate::{
	council::RuntimeCall,
	runtime::{self, runtime_types},
	Client, ClientError, Included, Key,
};

impl Client {
	/// Blocks per session at the best block.
	pub async fn session_length(&self) -> Result<u32, ClientError> {
		self.value_at_best(runtime::storage().masternodes().session_length()).await
	}

	/// The council (`members`, enough of them to carry a motion) sets the session length to
	/// `blocks`: `Masternodes::set_session_length`, a root call. Sessions end at multiples of
	/// the length, so the current one may end early.
	pub async fn set_session_length(
		&self,
		blocks: u32,
		members: &[Key],
	) -> Result<Included, ClientError> {
		let call = RuntimeCall::Masternodes(
			runtime_types::pallet_masternodes::pallet::Call::set_session_length { blocks },
		);
		self.council_root(call, members).await
	}
}
