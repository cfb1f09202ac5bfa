//! How fast the market's reads answer at the size the book has reached: open orders and deals
//! counted by their storage keys, then `market_orders` (a page from the start and one from the
//! newest orders) and `market_matchingOrders` timed over a number of calls each.

use crate::{stats::Latencies, LoadError};
use sonm_client::{subxt::rpcs::rpc_params, types::OrderFilter, Client};
use std::time::{Duration, Instant};

/// The book's size and its reads' latencies.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reads {
	pub open_orders: u64,
	pub open_deals: u64,
	/// `market_orders` of the first 100 open orders.
	pub orders_first_page: Latencies,
	/// `market_orders` of the 100 newest.
	pub orders_newest_page: Latencies,
	/// `market_matchingOrders` of the newest order, 10 at most.
	pub matching_orders: Latencies,
}

impl Reads {
	pub fn text(&self) -> String {
		let lat = |l: &Latencies| {
			format!("p50 {:?} / p99 {:?} ms", l.p50_ms.unwrap_or(0), l.p99_ms.unwrap_or(0))
		};
		format!(
			"  book: {} open orders, {} open deals; market_orders first page {}, newest page {}; market_matchingOrders {}\n",
			self.open_orders,
			self.open_deals,
			lat(&self.orders_first_page),
			lat(&self.orders_newest_page),
			lat(&self.matching_orders)
		)
	}
}

/// Counts the book and times `samples` calls of each read.
pub async fn measure(client: &Client, samples: usize) -> Result<Reads, LoadError> {
	let open_orders = count_keys(client, "Market", "Orders").await?;
	let open_deals = count_keys(client, "Market", "Deals").await?;
	let next_id: u64 = {
		let value: Option<String> = client
			.rpc("state_getStorage", rpc_params![storage_prefix("Market", "NextOrderId")])
			.await?;
		let bytes = value
			.and_then(|hex| hex::decode(hex.trim_start_matches("0x")).ok())
			.unwrap_or_default();
		bytes
			.get(..8)
			.map_or(0, |b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
	};
	let all = OrderFilter::default();
	let newest = client.orders(&all, next_id.saturating_sub(1_000), 1000).await?;
	let newest = newest.last().map(|order| order.id);
	let orders_first_page = time(samples, || client.orders(&all, 0, 100)).await?;
	let orders_newest_page =
		time(samples, || client.orders(&all, next_id.saturating_sub(100), 100)).await?;
	let matching_orders = match newest {
		Some(id) => time(samples, || client.matching_orders(id, 10)).await?,
		None => Latencies::default(),
	};
	Ok(Reads { open_orders, open_deals, orders_first_page, orders_newest_page, matching_orders })
}

async fn time<F, Fut, T>(samples: usize, mut call: F) -> Result<Latencies, LoadError>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<T, sonm_client::ClientError>>,
{
	let mut took: Vec<Duration> = Vec::with_capacity(samples);
	for _ in 0..samples {
		let started = Instant::now();
		call().await?;
		took.push(started.elapsed());
	}
	Ok(Latencies::of(took))
}

/// The keys under `pallet`'s storage map `item`, counted a thousand at a time.
async fn count_keys(client: &Client, pallet: &str, item: &str) -> Result<u64, LoadError> {
	let prefix = storage_prefix(pallet, item);
	let mut count = 0u64;
	let mut start: Option<String> = None;
	loop {
		let keys: Vec<String> = client
			.rpc("state_getKeysPaged", rpc_params![prefix.clone(), 1000, start.clone()])
			.await?;
		count += keys.len() as u64;
		if keys.len() < 1000 {
			return Ok(count);
		}
		start = keys.last().cloned();
	}
}

/// The storage key of `pallet`'s `item` (a value's key, a map's prefix), as hex.
fn storage_prefix(pallet: &str, item: &str) -> String {
	let mut key = sp_crypto_hashing::twox_128(pallet.as_bytes()).to_vec();
	key.extend(sp_crypto_hashing::twox_128(item.as_bytes()));
	format!("0x{}", hex::encode(key))
}
