//! How fast the market's reads answer at the size the book has reached: open orders and deals
//! counted by their storage keys, then `market_orders` (a page from the start and one from the
//! newest orders) and `market_matchingOrders` timed over a number of calls each.

use crate::{stats::Latencies, LoadError};
use sonm_client::{runtime, subxt::rpcs::rpc_params, types::OrderFilter, Client, ClientError};
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
	let at = client.at_best().await?;
	let storage = at.storage();
	let market = runtime::storage().market();
	let orders = storage.entry(market.orders()).map_err(ClientError::from)?.key_prefix();
	let deals = storage.entry(market.deals()).map_err(ClientError::from)?.key_prefix();
	let open_orders = count_keys(client, orders).await?;
	let open_deals = count_keys(client, deals).await?;
	let next_order_id = storage.entry(market.next_order_id()).map_err(ClientError::from)?;
	let next_id: u64 = next_order_id
		.fetch(())
		.await
		.map_err(ClientError::from)?
		.decode()
		.map_err(ClientError::from)?;
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

/// The keys under a storage map's `prefix`, counted a thousand at a time (only the keys travel:
/// the book can hold hundreds of thousands of orders).
async fn count_keys(client: &Client, prefix: [u8; 32]) -> Result<u64, LoadError> {
	let prefix = format!("0x{}", hex::encode(prefix));
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
