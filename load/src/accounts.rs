//! The accounts a run signs with: derived from the run's id (fresh every run, so a rerun on the
//! same chain starts with empty order books of its own), funded from the dev accounts in
//! batches, and their nonces handed out one by one in the order the extrinsics are signed.

use crate::LoadError;
use sha2::{Digest, Sha256};
use sonm_client::{
	runtime::{
		self,
		runtime_types::{pallet_balances::pallet::Call as BalancesCall, sonm_runtime::RuntimeCall},
	},
	subxt::utils::MultiAddress,
	AccountId32, Client, Key, Wait,
};
use std::time::Instant;

/// Transfers in one funding batch (`Utility::batch_all`): well inside a block's weight.
const FUNDING_BATCH: usize = 500;

/// The dev accounts that fund a run unless told others (each holds a million SNM on the dev
/// and local chains).
const FUNDERS: [&str; 6] = ["alice", "bob", "charlie", "dave", "eve", "ferdie"];

/// The dev accounts that fund a run unless told others, by name.
pub fn default_funders() -> Vec<String> {
	FUNDERS.map(String::from).to_vec()
}

/// The keys of the dev accounts named, each by its name; fails naming one that is not a dev
/// account.
pub fn funders(names: &[String]) -> Result<Vec<Key>, LoadError> {
	if names.is_empty() {
		return Err(LoadError::Usage("--funders: name at least one dev account".into()));
	}
	names
		.iter()
		.map(|name| {
			Key::dev(name)
				.ok_or_else(|| LoadError::Usage(format!("--funders: {name} is not a dev account")))
		})
		.collect()
}

/// A run's signing accounts.
pub struct Accounts {
	pub keys: Vec<Key>,
}

impl Accounts {
	/// `count` keys of run `run`: key `i` from the seed `sha256("sonm-load" | run | i)`.
	pub fn derive(run: u64, count: usize) -> Self {
		let keys = (0..count)
			.map(|i| {
				let seed = Sha256::new()
					.chain_update(b"sonm-load")
					.chain_update(run.to_le_bytes())
					.chain_update((i as u64).to_le_bytes())
					.finalize();
				Key::from_suri(&format!("0x{}", hex::encode(seed)))
					.expect("a 32-byte seed is a key")
			})
			.collect();
		Self { keys }
	}

	pub fn len(&self) -> usize {
		self.keys.len()
	}

	pub fn is_empty(&self) -> bool {
		self.keys.is_empty()
	}

	pub fn id(&self, index: usize) -> AccountId32 {
		self.keys[index].account_id()
	}

	/// Sends each account `amount` from `funders`, in batches of transfers, the funders working
	/// in parallel; logs its progress. Nobody else should sign for a funder meanwhile: the
	/// funder's next nonce is read from the node, so two signers of one account can take the
	/// same one.
	pub async fn fund(
		&self,
		client: &Client,
		amount: u128,
		funders: &[Key],
	) -> Result<(), LoadError> {
		let started = Instant::now();
		let batches: Vec<Vec<AccountId32>> = self
			.keys
			.chunks(FUNDING_BATCH)
			.map(|chunk| chunk.iter().map(Key::account_id).collect())
			.collect();
		let total = batches.len();
		let done = std::sync::atomic::AtomicUsize::new(0);
		let work = funders.iter().enumerate().map(|(f, funder)| {
			let mine: Vec<&Vec<AccountId32>> =
				batches.iter().skip(f).step_by(funders.len()).collect();
			let done = &done;
			async move {
				for batch in mine {
					let calls = batch
						.iter()
						.map(|account| {
							RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
								dest: MultiAddress::Id(*account),
								value: amount,
							})
						})
						.collect();
					let call = runtime::transactions().utility().batch_all(calls);
					client
						.submit(&call, funder, Wait::InBlock, |_| {})
						.await
						.map_err(|e| LoadError::Setup(format!("funding: {e}")))?;
					let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
					eprintln!("funding: {n}/{total} batches of up to {FUNDING_BATCH} accounts");
				}
				Ok::<_, LoadError>(())
			}
		});
		futures::future::try_join_all(work).await?;
		eprintln!("funding: {} accounts in {:.1} s", self.len(), started.elapsed().as_secs_f64());
		Ok(())
	}

	/// Every account's next nonce as the node counts it (its pool included).
	pub async fn nonces(&self, client: &Client) -> Result<NonceBook, LoadError> {
		use futures::{StreamExt, TryStreamExt};
		let next = futures::stream::iter(self.keys.iter())
			.map(|key| async move { client.next_nonce(&key.account_id()).await })
			.buffered(64)
			.try_collect()
			.await
			.map_err(|e| LoadError::Setup(format!("reading nonces: {e}")))?;
		Ok(NonceBook { next })
	}
}

/// The next nonce of each account: read once from the node, then counted here as extrinsics
/// are signed, so that thousands can be signed ahead of time without asking the node again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonceBook {
	next: Vec<u64>,
}

impl NonceBook {
	/// A book starting from these next nonces.
	pub fn new(next: Vec<u64>) -> Self {
		Self { next }
	}

	/// The nonce for `account`'s next extrinsic; the one after it is counted as taken.
	pub fn take(&mut self, account: usize) -> u64 {
		let nonce = self.next[account];
		self.next[account] += 1;
		nonce
	}

	/// `account`'s next nonce, not taking it.
	pub fn peek(&self, account: usize) -> u64 {
		self.next[account]
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keys_are_fresh_per_run_and_stable_within_one() {
		let a = Accounts::derive(7, 3);
		let again = Accounts::derive(7, 3);
		let other = Accounts::derive(8, 3);
		assert_eq!(a.len(), 3);
		for i in 0..3 {
			assert_eq!(a.id(i), again.id(i));
			assert_ne!(a.id(i), other.id(i));
		}
		assert_ne!(a.id(0), a.id(1));
	}

	#[test]
	fn nonces_count_up_per_account() {
		let mut book = NonceBook::new(vec![0, 5]);
		assert_eq!(book.take(0), 0);
		assert_eq!(book.take(1), 5);
		assert_eq!(book.take(0), 1);
		assert_eq!(book.take(0), 2);
		assert_eq!(book.peek(0), 3);
		assert_eq!(book.peek(1), 6);
	}
}
