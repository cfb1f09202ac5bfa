//! The backlog: extrinsics sent and not yet in a block. The node's pool validates every ready
//! extrinsic again at each new block, so a backlog of many blocks' worth costs the node a
//! validation per extrinsic per block it waits, work that grows with the backlog and not with
//! the rate. A sender that keeps the backlog to what the next blocks take (as a wallet that
//! waits for its last transaction would) measures what the chain carries, not what the pool
//! costs when it is flooded. The limit is sized to the chain as the run learns it: a number of
//! blocks, each as large as the largest block of this run's extrinsics so far.

use std::sync::{
	atomic::{AtomicUsize, Ordering},
	Arc, Mutex,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The backlog before any block holds one of ours: enough for a first block of transfers
/// to fill a good part of a block, so that the limit reaches full blocks in a few doublings.
pub const FIRST_BACKLOG: usize = 1_000;
/// The least backlog once blocks are seen, so that a first block that caught only a few of
/// ours does not hold the run back for many blocks.
pub const LEAST_BACKLOG: usize = 256;

/// The backlog limit for a run that keeps `blocks` blocks' worth waiting, once its largest
/// block held `largest` of its extrinsics (0: none seen yet).
pub fn limit(blocks: usize, largest: usize) -> usize {
	match largest {
		0 => FIRST_BACKLOG,
		_ => blocks.saturating_mul(largest).max(LEAST_BACKLOG),
	}
}

/// Admits extrinsics to the node while the backlog is under its limit.
pub struct Backlog {
	/// `None`: no limit (every extrinsic of the window may wait in the pool).
	blocks: Option<usize>,
	permits: Arc<Semaphore>,
	/// Places to take out of use as their holders leave (the limit shrank below those held).
	owed: AtomicUsize,
	seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
	/// The block whose extrinsics of ours are being counted, and its count so far: a block's
	/// count is whole once one of ours lands in the next.
	current: Option<(String, usize)>,
	/// The largest whole count so far (0: none yet), which the limit follows.
	largest: usize,
}

/// A place in the backlog: held from submission until the extrinsic is in a block or gone.
pub struct Place {
	permit: Option<OwnedSemaphorePermit>,
	backlog: Arc<Backlog>,
}

impl Place {
	/// Its extrinsic is in `block` (see [`Backlog::included`]); the place is left on drop.
	pub fn included(&self, block: &str) {
		self.backlog.included(block);
	}
}

impl Drop for Place {
	fn drop(&mut self) {
		let Some(permit) = self.permit.take() else { return };
		let owed = self
			.backlog
			.owed
			.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |owed| owed.checked_sub(1));
		if owed.is_ok() {
			// The limit shrank: this place leaves use with its holder.
			permit.forget();
		}
	}
}

impl Backlog {
	/// A backlog of at most `blocks` blocks' worth; `None` for no limit.
	pub fn new(blocks: Option<usize>) -> Self {
		Self {
			blocks,
			permits: Arc::new(Semaphore::new(blocks.map_or(0, |b| limit(b, 0)))),
			owed: AtomicUsize::new(0),
			seen: Mutex::new(Seen::default()),
		}
	}

	/// Waits for a place in the backlog (first come, first served).
	pub async fn enter(self: &Arc<Self>) -> Place {
		let permit = match self.blocks {
			Some(_) => Some(
				self.permits
					.clone()
					.acquire_owned()
					.await
					.expect("the semaphore is never closed"),
			),
			None => None,
		};
		Place { permit, backlog: self.clone() }
	}

	/// One of ours is in `block`: once a block's count is whole, the limit follows the largest.
	pub fn included(&self, block: &str) {
		let Some(blocks) = self.blocks else { return };
		let mut seen = self.seen.lock().expect("not poisoned");
		match &mut seen.current {
			Some((hash, count)) if hash == block => *count += 1,
			current => {
				let whole = current.replace((block.to_owned(), 1)).map_or(0, |(_, count)| count);
				if whole > seen.largest {
					self.move_limit(limit(blocks, seen.largest), limit(blocks, whole));
					seen.largest = whole;
				}
			},
		}
	}

	/// Moves the limit from `was` to `wanted`: new places at once; places fewer as their
	/// holders leave.
	fn move_limit(&self, was: usize, wanted: usize) {
		if wanted > was {
			let more = wanted - was;
			// Places still owed are cancelled first (one update: holders leave meanwhile).
			let owed = self
				.owed
				.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |owed| {
					Some(owed - owed.min(more))
				})
				.unwrap_or_else(|owed| owed);
			self.permits.add_permits(more - owed.min(more));
		} else {
			let fewer = was - wanted;
			let taken = self.permits.forget_permits(fewer);
			self.owed.fetch_add(fewer - taken, Ordering::Relaxed);
		}
	}

	/// The limit now; `None` without one.
	pub fn limit(&self) -> Option<usize> {
		let blocks = self.blocks?;
		Some(limit(blocks, self.seen.lock().expect("not poisoned").largest))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::time::Duration;

	/// Whether a place is free now.
	async fn free(backlog: &Arc<Backlog>) -> bool {
		tokio::time::timeout(Duration::ZERO, backlog.enter()).await.is_ok()
	}

	#[test]
	fn the_limit_is_blocks_times_the_largest_block_within_its_bounds() {
		assert_eq!(limit(2, 0), FIRST_BACKLOG);
		assert_eq!(limit(2, 3), LEAST_BACKLOG);
		assert_eq!(limit(2, 140), 280);
		assert_eq!(limit(2, 1_833), 3_666);
		assert_eq!(limit(3, 3_058), 9_174);
	}

	#[tokio::test]
	async fn places_free_as_extrinsics_land_and_the_limit_grows_with_the_largest_block() {
		let backlog = Arc::new(Backlog::new(Some(2)));
		assert_eq!(backlog.limit(), Some(FIRST_BACKLOG));
		let mut places = Vec::new();
		for _ in 0..FIRST_BACKLOG {
			places.push(backlog.enter().await);
		}
		assert!(!free(&backlog).await, "a full backlog admits nothing more");
		// 700 of them land in one block: the limit becomes 1,400 once the block is whole (one
		// lands in the next).
		for _ in 0..700 {
			backlog.included("0xaa");
			places.pop();
		}
		assert_eq!(backlog.limit(), Some(FIRST_BACKLOG), "the block may not be whole yet");
		backlog.included("0xbb");
		places.pop();
		assert_eq!(backlog.limit(), Some(1_400));
		// 299 held: 1,101 more fit.
		for _ in 0..1_101 {
			places.push(backlog.enter().await);
		}
		assert!(!free(&backlog).await, "the grown limit holds");
		// A smaller block never shrinks it.
		backlog.included("0xcc");
		assert_eq!(backlog.limit(), Some(1_400));
	}

	#[tokio::test]
	async fn a_first_block_smaller_than_the_first_backlog_shrinks_it_as_places_free() {
		let backlog = Arc::new(Backlog::new(Some(2)));
		let mut places = Vec::new();
		for _ in 0..FIRST_BACKLOG {
			places.push(backlog.enter().await);
		}
		// A block of 140 batches: the limit is 280, and 860 are still held.
		for _ in 0..140 {
			backlog.included("0xaa");
			places.pop();
		}
		backlog.included("0xbb");
		places.pop();
		assert_eq!(backlog.limit(), Some(280));
		assert!(!free(&backlog).await, "859 held against a limit of 280");
		// The first 579 to leave take their places with them; the next frees one.
		places.truncate(places.len() - 579);
		assert!(!free(&backlog).await, "280 held: full");
		places.pop();
		let place = tokio::time::timeout(Duration::ZERO, backlog.enter()).await;
		assert!(place.is_ok(), "279 held: one place free");
	}

	#[tokio::test]
	async fn without_blocks_there_is_no_limit() {
		let backlog = Arc::new(Backlog::new(None));
		assert_eq!(backlog.limit(), None);
		assert!(backlog.enter().await.permit.is_none());
		backlog.included("0xaa");
		assert_eq!(backlog.limit(), None);
	}
}
