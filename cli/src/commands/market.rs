//! Orders and deals: create, list, show, cancel; open, quick-buy, bill, close, change requests.

use crate::{
	args::{
		ChangeCommand, DealsCommand, EndpointCommand, OrderFlags, OrdersCommand, WorkerCommand,
	},
	context::Context,
	error::CliError,
	format,
	order_file::{self, BenchmarkKind::Number, OrderForm, OrderSpec, BENCHMARKS},
};
use serde_json::json;
use sonm_client::{
	matching::Facts,
	runtime::{
		self,
		market::events::{
			CounterpartyBlacklisted, DealBilled, DealChanged, DealClosed, DealOpened, OrderPlaced,
		},
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_market::types::OrderTerms,
		},
	},
	task_protocol::{BidTask, TaskSpec},
	types::{Deal, Order, OrderFilter},
	Included, Static,
};
use sonm_primitives::{
	benchmarks,
	market::{Price, Side},
	matching::MatchFailure,
	IdentityLevel,
};

pub async fn orders(ctx: &mut Context, command: OrdersCommand) -> Result<(), CliError> {
	match command {
		OrdersCommand::Create(flags) => create_order(ctx, flags).await,
		OrdersCommand::List { side, author, matching, from_id, limit } => {
			let list = match matching {
				Some(id) => {
					ctx.client().await?.matching_orders(id, limit).await.map_err(not_found)?
				},
				None => {
					let side = side.map(|text| order_file::parse_side(&text)).transpose()?;
					let author = match author.as_deref() {
						Some("me") => Some(ctx.from_address()?.to_string()),
						Some(text) => Some(ctx.account(text)?.to_string()),
						None => None,
					};
					let filter = OrderFilter { side, author, status: None };
					ctx.client().await?.orders(&filter, from_id, limit).await?
				},
			};
			ctx.print(json!(list), || {
				if list.is_empty() {
					return "no open orders".into();
				}
				let mut lines = vec![format!(
					"{:>6}  {:<4} {:>16}  {:>8}  {:<10}  {}",
					"ID", "SIDE", "PRICE", "DURATION", "AUTHOR", "RESOURCES"
				)];
				for order in &list {
					lines.push(format!(
						"{:>6}  {:<4} {:>16}  {:>8}  {:<10}  {}",
						order.id,
						order.side.name().to_lowercase(),
						format::price(order.price),
						format::duration(order.duration),
						format::short(&order.author),
						resources(&order.benchmarks),
					));
				}
				lines.join("\n")
			});
			Ok(())
		},
		OrdersCommand::Show { id } => {
			let order = ctx.client().await?.order(id).await?.ok_or_else(|| no_order(id))?;
			let (_, now) = ctx.client().await?.now().await?;
			ctx.print(json!(order), || order_details(&order, now));
			Ok(())
		},
		OrdersCommand::Cancel { id } => {
			let order = ctx.client().await?.order(id).await?.ok_or_else(|| no_order(id))?;
			let me = ctx.from_address()?;
			if order.author != me.to_string() {
				return Err(CliError::not_possible(format!(
					"order {id} is {}'s, not yours ({me}): only its author may cancel it",
					order.author
				)));
			}
			let included = ctx
				.submit("cancel order", &runtime::transactions().market().cancel_order(id))
				.await?;
			ctx.print(result_json(&included, json!({ "order": id })), || {
				format!(
					"order {id} cancelled; {} back",
					format::snm(order.deposit.saturating_add(order.escrow))
				)
			});
			Ok(())
		},
	}
}

/// The orders of --file (one or several), or the order of the flags.
fn order_specs(flags: &OrderFlags) -> Result<Vec<OrderSpec>, CliError> {
	if let Some(path) = &flags.file {
		let text = std::fs::read_to_string(path)
			.map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
		return order_file::parse_order_files(&text)
			.map_err(|e| CliError::usage(format!("{}: {}", path.display(), e.message)));
	}
	let mut resources = Vec::new();
	for resource in &flags.resources {
		let (name, value) = resource.split_once('=').ok_or_else(|| {
			CliError::usage(format!("--resource {resource:?} is not NAME=VALUE (e.g. cpu-cores=4)"))
		})?;
		resources.push((name.trim().to_owned(), value.to_owned()));
	}
	let form = OrderForm {
		side: flags.side.clone(),
		price: flags.price.clone(),
		duration: flags.duration.clone(),
		counterparty: flags.counterparty.clone(),
		identity: flags.identity.clone(),
		blacklist: flags.blacklist.clone(),
		tag: flags.tag.clone(),
		expires_in: flags.expires_in.clone(),
		overlay: flags.overlay,
		outbound: flags.outbound,
		incoming: flags.incoming,
		resources,
	};
	let spec = form.parse().map_err(|error| match error.missing {
		true => CliError::usage(format!("--{} is required without --file", error.field)),
		false => CliError::from(error),
	})?;
	Ok(vec![spec])
}

/// The chain's terms of `spec`.
async fn order_terms(ctx: &mut Context, spec: &OrderSpec) -> Result<OrderTerms, CliError> {
	let counterparty = spec.counterparty.as_deref().map(|text| ctx.account(text)).transpose()?;
	let curator = spec.curator.as_deref().map(|text| ctx.account(text)).transpose()?;
	let expires_at = match spec.expires_in {
		Some(seconds) => Some(ctx.client().await?.now().await?.1.saturating_add(seconds)),
		None => None,
	};
	Ok(OrderTerms {
		side: Static(spec.side),
		price: Static(spec.price),
		duration: spec.duration,
		counterparty,
		min_identity: Static(spec.min_identity),
		curator,
		tag: BoundedVec(spec.tag.clone().into_bytes()),
		benchmarks: BoundedVec(spec.benchmarks.to_vec()),
		netflags: spec.netflags,
		expires_at,
	})
}

/// "ask 7 placed: 3.6 SNM/h for 1h".
fn placed_line(spec: &OrderSpec, id: u64) -> String {
	format!(
		"{} {id} placed: {} for {}",
		spec.side.name().to_lowercase(),
		format::price(spec.price),
		format::duration(spec.duration)
	)
}

/// Places the order of the flags or the file's one, or the file's several in one
/// `place_orders` (all or none).
async fn create_order(ctx: &mut Context, flags: OrderFlags) -> Result<(), CliError> {
	let specs = order_specs(&flags)?;
	let mut terms = Vec::with_capacity(specs.len());
	for spec in &specs {
		terms.push(order_terms(ctx, spec).await?);
	}
	if let [spec] = &specs[..] {
		let place = runtime::transactions().market().place_order(terms.remove(0));
		let included = ctx.submit("place order", &place).await?;
		let id = emitted::<OrderPlaced>(&included)?.id;
		let order = ctx.client().await?.order(id).await?;
		let summary = placed_line(spec, id);
		ctx.print(result_json(&included, json!({ "id": id, "order": order })), || {
			let held = order.as_ref().map(|o| o.deposit.saturating_add(o.escrow)).unwrap_or(0);
			format!("{summary}; {} held (block #{})", format::snm(held), included.block_number)
		});
		return Ok(());
	}
	let at_most = ctx.client().await?.max_orders_per_call().await?;
	if specs.len() > at_most as usize {
		return Err(CliError::usage(format!(
			"{} orders in the file; one transaction places at most {at_most}",
			specs.len()
		)));
	}
	let place = runtime::transactions().market().place_orders(BoundedVec(terms));
	let included = ctx.submit(&format!("place {} orders", specs.len()), &place).await?;
	let ids: Vec<u64> = included.find_all::<OrderPlaced>().iter().map(|placed| placed.id).collect();
	if ids.len() != specs.len() {
		return Err(CliError::new(
			crate::error::Kind::Refused,
			format!("the chain placed {} of {} orders", ids.len(), specs.len()),
		));
	}
	ctx.print(result_json(&included, json!({ "ids": ids })), || {
		let lines: Vec<String> =
			specs.iter().zip(&ids).map(|(spec, id)| placed_line(spec, *id)).collect();
		format!("{}\n{} orders in block #{}", lines.join("\n"), ids.len(), included.block_number)
	});
	Ok(())
}

/// `sonm deals request`: the bid of the flags (or the file's one) signed by --from and handed
/// to the worker, with the deal's task or without, which opens the deal in one transaction
/// and starts the task.
async fn request_deal(
	ctx: &mut Context,
	supplier: Option<String>,
	worker: Option<String>,
	valid_for: &str,
	nonce: Option<u64>,
	flags: &OrderFlags,
	task: Option<TaskSpec>,
) -> Result<(), CliError> {
	let specs = order_specs(flags)?;
	let [spec] = &specs[..] else {
		return Err(CliError::usage(format!(
			"a signed bid is one order; the file has {}",
			specs.len()
		)));
	};
	if spec.side != Side::Bid {
		return Err(CliError::usage("a worker takes signed bids only: --side bid"));
	}
	let valid_for = order_file::parse_duration("--valid-for", valid_for)?;
	let terms = order_terms(ctx, spec).await?;
	let endpoint = match (worker, supplier) {
		(Some(endpoint), _) => endpoint,
		(None, Some(supplier)) => {
			let supplier = ctx.account(&supplier)?.to_string();
			ctx.client().await?.endpoint(&supplier).await?.ok_or_else(|| {
				CliError::not_possible(format!("{supplier} publishes no worker endpoint"))
					.hint("ask the supplier where its worker listens and pass --worker URL")
			})?
		},
		(None, None) => return Err(CliError::usage("name the worker: --supplier or --worker")),
	};
	let signer = ctx.signer()?;
	let client = ctx.client().await?;
	let (_, now) = client.now().await?;
	let nonce = nonce.unwrap_or_else(rand::random);
	let bid = client.sign_bid(terms, nonce, now.saturating_add(valid_for), &signer);
	let worker = crate::commands::tasks::worker_client(&endpoint, signer).await?;
	let with_task = if task.is_some() { " with its task" } else { "" };
	eprintln!(
		"handing the signed bid (nonce {nonce}){with_task} to {}; waiting for the deal's block",
		worker.target()
	);
	let answer = worker.offer_bid(&bid, task).await.map_err(crate::commands::tasks::refused)?;
	ctx.print(json!(answer), || {
		let opened = format!(
			"deal {} opened on ask {} (plan {}) in block #{}: {} for {}",
			answer.deal,
			answer.ask,
			answer.plan,
			answer.block_number,
			format::price(spec.price),
			format::duration(spec.duration),
		);
		match &answer.task {
			Some(BidTask::Started(task)) => {
				format!("{opened}\nits task started\n{}", crate::commands::tasks::task_state(task))
			},
			Some(BidTask::Refused(refusal)) => format!(
				"{opened}\nits task did not start: {}: {}\nstart it: sonm task start --deal {} --image IMAGE",
				refusal.error, refusal.message, answer.deal
			),
			None => format!(
				"{opened}\nstart its task: sonm task start --deal {} --image IMAGE",
				answer.deal
			),
		}
	});
	// The deal is open either way; a task asked for and not started fails the command.
	match answer.task {
		Some(BidTask::Refused(refusal)) => Err(CliError::not_possible(format!(
			"deal {} opened, but its task did not start: {}: {}",
			answer.deal, refusal.error, refusal.message
		))),
		_ => Ok(()),
	}
}

pub async fn deals(ctx: &mut Context, command: DealsCommand) -> Result<(), CliError> {
	match command {
		DealsCommand::List { account } => {
			let account = ctx.account_or_from(account.as_deref())?.to_string();
			let list = ctx.client().await?.deals_of(&account).await?;
			let (_, now) = ctx.client().await?.now().await?;
			ctx.print(json!(list), || {
				if list.is_empty() {
					return format!("{} has no open deals", format::short(&account));
				}
				let mut lines = vec![format!(
					"{:>6}  {:<8}  {:>16}  {:>8}  {:<14}  {:>10}  {}",
					"ID", "ROLE", "PRICE", "DURATION", "ENDS", "PAID", "COUNTERPARTY"
				)];
				for deal in &list {
					let (role, other) = if deal.consumer == account {
						("customer", &deal.supplier)
					} else {
						("supplier", &deal.consumer)
					};
					lines.push(format!(
						"{:>6}  {:<8}  {:>16}  {:>8}  {:<14}  {:>10}  {}",
						deal.id,
						role,
						format::price(deal.price),
						format::duration(deal.duration),
						deal.end.map(|end| format::relative(end, now)).unwrap_or("-".into()),
						format::decimal(deal.paid),
						format::short(other),
					));
				}
				lines.join("\n")
			});
			Ok(())
		},
		DealsCommand::Show { id } => {
			let deal = ctx.client().await?.deal(id).await?.ok_or_else(|| no_deal(id))?;
			let requests = ctx.client().await?.change_requests(id).await?;
			let (_, now) = ctx.client().await?.now().await?;
			ctx.print(json!({ "deal": deal, "changeRequests": requests }), || {
				let mut text = deal_details(&deal, now);
				for request in &requests {
					text.push_str(&format!(
						"\nchange requested by the {}: {} for {} ({})",
						if request.side == Side::Bid { "customer" } else { "supplier" },
						format::price(Price { per_second: request.per_second, ..deal.price }),
						format::duration(request.duration),
						format::relative(request.created_at, now),
					));
				}
				text
			});
			Ok(())
		},
		DealsCommand::Open { ask, bid } => {
			let client = ctx.client().await?;
			let ask_order = client.order(ask).await?.ok_or_else(|| no_order(ask))?;
			let bid_order = client.order(bid).await?.ok_or_else(|| no_order(bid))?;
			let (_, now) = client.now().await?;
			let verdict =
				client.check_match(&ask_order, &bid_order, now, &mut Facts::default()).await?;
			verdict.map_err(|failure| refusal(failure, &ask_order, &bid_order))?;
			let call = runtime::transactions().market().open_deal(ask, bid);
			let included = ctx.submit("open deal", &call).await?;
			deal_opened(ctx, included).await
		},
		DealsCommand::Request { supplier, worker, valid_for, nonce, bid, image, task } => {
			let task = match image {
				Some(image) => Some(crate::commands::tasks::task_spec(image, *task)?),
				None if task.any_given() => return Err(CliError::usage(
					"the task's --env, --port, --volume, --restart and command need its --image",
				)),
				None => None,
			};
			request_deal(ctx, supplier, worker, &valid_for, nonce, &bid, task).await
		},
		DealsCommand::QuickBuy { ask, duration } => {
			let client = ctx.client().await?;
			let ask_order = client.order(ask).await?.ok_or_else(|| no_order(ask))?;
			let duration = match duration {
				Some(text) => order_file::parse_duration("duration", &text)?,
				None => ask_order.duration,
			};
			// The chain places a bid that mirrors the ask for this customer and duration, and
			// matches the two: check that pair before signing.
			let bid_order = Order {
				author: ctx.from_address()?.to_string(),
				side: Side::Bid,
				duration,
				counterparty: None,
				min_identity: IdentityLevel::Anonymous,
				curator: None,
				expires_at: None,
				..ask_order.clone()
			};
			let client = ctx.client().await?;
			let (_, now) = client.now().await?;
			let verdict =
				client.check_match(&ask_order, &bid_order, now, &mut Facts::default()).await?;
			verdict.map_err(|failure| refusal(failure, &ask_order, &bid_order))?;
			let call = runtime::transactions().market().quick_buy(ask, duration);
			let included = ctx.submit("quick buy", &call).await?;
			deal_opened(ctx, included).await
		},
		DealsCommand::Bill { id } => {
			ctx.client().await?.deal(id).await?.ok_or_else(|| no_deal(id))?;
			let included =
				ctx.submit("bill deal", &runtime::transactions().market().bill(id)).await?;
			let billed = included.find::<DealBilled>();
			let closed = included.has::<DealClosed>();
			ctx.print(result_json(&included, json!({ "deal": id, "closed": closed })), || {
				let amount = billed.as_ref().map(|event| event.amount).unwrap_or(0);
				let mut text = format!("deal {id} billed: {} paid", format::snm(amount));
				if closed {
					text.push_str("; the deal is closed");
				}
				text
			});
			Ok(())
		},
		DealsCommand::Close { id, blacklist } => {
			let deal = ctx.client().await?.deal(id).await?.ok_or_else(|| no_deal(id))?;
			let call = runtime::transactions().market().close_deal(id, blacklist);
			let included = ctx.submit("close deal", &call).await?;
			let blacklisted =
				included.find::<CounterpartyBlacklisted>().map(|event| event.whom.to_string());
			let refund = refund_of(&included);
			ctx.print(
				result_json(
					&included,
					json!({ "deal": id, "blacklisted": blacklisted, "refund": refund.to_string() }),
				),
				|| {
					let mut text = format!(
						"deal {id} closed; paid to the supplier in all: {}",
						format::snm(paid_in_all(&included, &deal))
					);
					if refund > 0 {
						text.push_str(&format!("; {} back to you", format::snm(refund)));
					}
					if let Some(whom) = &blacklisted {
						text.push_str(&format!("; {whom} is on your blacklist now"));
					}
					text
				},
			);
			Ok(())
		},
		DealsCommand::Change(change) => change_request(ctx, change).await,
	}
}

async fn change_request(ctx: &mut Context, command: ChangeCommand) -> Result<(), CliError> {
	let deal_id = match &command {
		ChangeCommand::Create { deal, .. }
		| ChangeCommand::Accept { deal }
		| ChangeCommand::Cancel { deal }
		| ChangeCommand::Reject { deal } => *deal,
	};
	let deal = ctx.client().await?.deal(deal_id).await?.ok_or_else(|| no_deal(deal_id))?;
	let me = ctx.from_address()?.to_string();
	let my_side = if deal.consumer == me {
		Side::Bid
	} else if deal.supplier == me || deal.payee == me {
		Side::Ask
	} else {
		return Err(CliError::not_possible(format!("you ({me}) take no part in deal {deal_id}")));
	};
	let other_side = my_side.opposite();
	let market = runtime::transactions().market();
	let (what, included) = match command {
		ChangeCommand::Create { price, duration, .. } => {
			let per_second = match price {
				Some(text) => {
					let price = order_file::parse_price(&text)?;
					if price.unit != deal.price.unit {
						return Err(CliError::usage(format!(
							"deal {deal_id} is priced in {}; quote the new price in {} too",
							deal.price.unit, deal.price.unit
						)));
					}
					price.per_second
				},
				None => deal.price.per_second,
			};
			let duration = match duration {
				Some(text) => order_file::parse_duration("duration", &text)?,
				None => deal.duration,
			};
			let call = market.request_change(deal_id, per_second, duration);
			("change requested", ctx.submit("request change", &call).await?)
		},
		ChangeCommand::Accept { .. } => {
			("change accepted", ctx.submit("accept change", &market.accept_change(deal_id)).await?)
		},
		ChangeCommand::Cancel { .. } => {
			let call = market.drop_change(deal_id, Static(my_side));
			("change request cancelled", ctx.submit("cancel change", &call).await?)
		},
		ChangeCommand::Reject { .. } => {
			let call = market.drop_change(deal_id, Static(other_side));
			("change request rejected", ctx.submit("reject change", &call).await?)
		},
	};
	let changed = included.has::<DealChanged>();
	ctx.print(result_json(&included, json!({ "deal": deal_id, "changed": changed })), || {
		if changed {
			format!("deal {deal_id}: the new terms are in force")
		} else {
			format!("deal {deal_id}: {what}")
		}
	});
	Ok(())
}

async fn deal_opened(ctx: &mut Context, included: Included) -> Result<(), CliError> {
	let id = emitted::<DealOpened>(&included)?.id;
	let deal = ctx.client().await?.deal(id).await?;
	let (_, now) = ctx.client().await?.now().await?;
	ctx.print(result_json(&included, json!({ "id": id, "deal": deal })), || match &deal {
		Some(deal) => format!("deal {id} opened\n{}", deal_details(deal, now)),
		None => format!("deal {id} opened (and already closed)"),
	});
	Ok(())
}

/// The event `E` the transaction always emits; a refusal naming it when it did not.
fn emitted<E: sonm_client::subxt::events::DecodeAsEvent>(
	included: &Included,
) -> Result<E, CliError> {
	included.find::<E>().ok_or_else(|| {
		let name = std::any::type_name::<E>().rsplit("::").next().unwrap_or("event");
		CliError::new(crate::error::Kind::Refused, format!("the chain emitted no {name}"))
	})
}

/// What the customer got back when closing: the `DealClosed` event's refund.
fn refund_of(included: &Included) -> u128 {
	included.find::<DealClosed>().map(|event| event.refund).unwrap_or(0)
}

/// All the payee received over the deal: what it had been paid plus this last bill.
fn paid_in_all(included: &Included, deal: &Deal) -> u128 {
	let last = included.find::<DealBilled>().map(|event| event.amount);
	deal.paid.saturating_add(last.unwrap_or(0))
}

/// Why `ask` and `bid` make no deal, in the user's units: the shared rules name the failure,
/// this says what differs.
pub fn refusal(failure: MatchFailure, ask: &Order, bid: &Order) -> CliError {
	let mut hint = None;
	let message = match failure {
		MatchFailure::NotAnAsk => format!("order {} is a bid, not an ask", ask.id),
		MatchFailure::NotABid => format!("order {} is an ask, not a bid", bid.id),
		MatchFailure::OrderExpired => "one of the orders has expired".into(),
		MatchFailure::SelfDeal => {
			"an account cannot deal with itself (nor with the master of its worker)".into()
		},
		MatchFailure::UnitMismatch => {
			format!("the ask is priced in {} and the bid in {}", ask.price.unit, bid.price.unit)
		},
		MatchFailure::PriceTooHigh => {
			hint =
				Some("raise the bid (`sonm orders create` a new one) or find a cheaper ask".into());
			format!(
				"bid price {} is below the ask's {}",
				format::price(bid.price),
				format::price(ask.price)
			)
		},
		MatchFailure::DurationMismatch => format!(
			"the bid wants {} and the ask offers {} (spot only with spot, and a forward bid no \
			 longer than the ask)",
			format::duration(bid.duration),
			format::duration(ask.duration)
		),
		MatchFailure::AskCounterpartyMismatch => format!(
			"the ask is reserved for {} (or its workers)",
			ask.counterparty.as_deref().unwrap_or("another account")
		),
		MatchFailure::BidCounterpartyMismatch => format!(
			"the bid is reserved for {} (or its workers)",
			bid.counterparty.as_deref().unwrap_or("another account")
		),
		MatchFailure::CustomerIdentityTooLow => format!(
			"the ask needs a customer of identity level {} or above",
			ask.min_identity.name().to_lowercase()
		),
		MatchFailure::SupplierIdentityTooLow => format!(
			"the bid needs a supplier of identity level {} or above",
			bid.min_identity.name().to_lowercase()
		),
		MatchFailure::NetflagsMismatch => format!(
			"the bid needs network {} and the ask offers {}",
			format::netflags(bid.netflags),
			format::netflags(ask.netflags)
		),
		MatchFailure::BenchmarksTooLow => BENCHMARKS
			.iter()
			.enumerate()
			.map(|(index, (name, kind))| (index, name, kind))
			.chain((BENCHMARKS.len()..bid.benchmarks.len()).map(|i| (i, &"benchmark", &Number)))
			.find_map(|(index, name, kind)| {
				let offered = benchmarks::value_at(&ask.benchmarks, index);
				let required = benchmarks::value_at(&bid.benchmarks, index);
				(offered < required).then(|| {
					format!(
						"the bid needs {name} {} and the ask offers {}",
						benchmark_text(*kind, required),
						benchmark_text(*kind, offered)
					)
				})
			})
			.unwrap_or_else(|| "the ask's benchmarks are below the bid's".into()),
		MatchFailure::SupplierBlacklisted => {
			hint = Some(format!("`sonm blacklist remove {}` to deal with them again", ask.author));
			format!(
				"supplier {} is on the customer's blacklist (or its master is, or it is on a list \
				 the customer subscribes to or the bid's curator's)",
				ask.author
			)
		},
		MatchFailure::CustomerBlacklisted => format!(
			"the supplier {}, its master or the ask's curator has blacklisted the customer {}",
			ask.author, bid.author
		),
	};
	let error = CliError::not_possible(format!("{message} ({})", failure.name()));
	match hint {
		Some(hint) => error.hint(hint),
		None => error,
	}
}

fn benchmark_text(kind: order_file::BenchmarkKind, value: u64) -> String {
	match kind {
		order_file::BenchmarkKind::Number => value.to_string(),
		order_file::BenchmarkKind::Size => format::size(value),
		order_file::BenchmarkKind::Bandwidth => format::bandwidth(value),
	}
}

/// The non-zero resources of an order, short.
pub(crate) fn resources(benchmarks: &[u64]) -> String {
	let parts: Vec<String> = BENCHMARKS
		.iter()
		.zip(benchmarks)
		.filter(|(_, value)| **value > 0)
		.map(|((name, kind), value)| format!("{name} {}", benchmark_text(*kind, *value)))
		.collect();
	if parts.is_empty() {
		"-".into()
	} else {
		parts.join(", ")
	}
}

fn order_details(order: &Order, now: u64) -> String {
	let mut lines = vec![
		format!("order {} ({})", order.id, order.side.name().to_lowercase()),
		format!("  author        {}", order.author),
		format!("  price         {}", format::price(order.price)),
		format!("  duration      {}", format::duration(order.duration)),
		format!("  identity      {} or above", order.min_identity.name().to_lowercase()),
		format!("  network       {}", format::netflags(order.netflags)),
		format!("  resources     {}", resources(&order.benchmarks)),
		format!("  placed        {}", format::relative(order.placed_at, now)),
		format!(
			"  held          {} deposit, {} escrow",
			format::snm(order.deposit),
			format::snm(order.escrow)
		),
	];
	if let Some(counterparty) = &order.counterparty {
		lines.push(format!("  counterparty  {counterparty}"));
	}
	if let Some(curator) = &order.curator {
		lines.push(format!("  blacklist of  {curator}"));
	}
	if !order.tag.is_empty() {
		lines.push(format!("  tag           {}", order.tag));
	}
	if let Some(expires) = order.expires_at {
		lines.push(format!("  expires       {}", format::relative(expires, now)));
	}
	lines.join("\n")
}

fn deal_details(deal: &Deal, now: u64) -> String {
	[
		format!("deal {} (ask {}, bid {})", deal.id, deal.ask, deal.bid),
		format!("  supplier      {}", deal.supplier),
		format!("  customer      {}", deal.consumer),
		format!("  price         {}", format::price(deal.price)),
		format!("  duration      {}", format::duration(deal.duration)),
		format!("  started       {}", format::relative(deal.start, now)),
		format!(
			"  ends          {}",
			deal.end.map(|end| format::relative(end, now)).unwrap_or("when closed".into())
		),
		format!("  billed until  {}", format::relative(deal.billed_until, now)),
		format!("  escrow        {}", format::snm(deal.escrow)),
		format!("  paid          {}", format::snm(deal.paid)),
		format!("  deposit       {}", format::snm(deal.deposit)),
	]
	.join("\n")
}

pub async fn worker(ctx: &mut Context, command: WorkerCommand) -> Result<(), CliError> {
	let market = runtime::transactions().market();
	let (summary, included) = match command {
		WorkerCommand::List { master } => {
			let master = ctx.account_or_from(master.as_deref())?.to_string();
			let workers = ctx.client().await?.workers_of(&master).await?;
			let list: Vec<_> = workers
				.iter()
				.map(|(worker, confirmed)| json!({ "worker": worker, "confirmed": confirmed }))
				.collect();
			ctx.print(json!({ "master": master, "workers": list }), || {
				if workers.is_empty() {
					return format!("{master} has no workers");
				}
				workers
					.iter()
					.map(|(worker, confirmed)| {
						format!("{worker}  {}", if *confirmed { "confirmed" } else { "waiting" })
					})
					.collect::<Vec<_>>()
					.join("\n")
			});
			return Ok(());
		},
		WorkerCommand::Join { master } => {
			let master = ctx.account(&master)?;
			let included = ctx.submit("join master", &market.request_master(master)).await?;
			(format!("asked to join {master}; it confirms with `sonm worker confirm`"), included)
		},
		WorkerCommand::Confirm { worker } => {
			let worker = ctx.account(&worker)?;
			let included = ctx.submit("confirm worker", &market.confirm_worker(worker)).await?;
			(format!("{worker} is your worker: its deals pay you"), included)
		},
		WorkerCommand::Endpoint(command) => return endpoint(ctx, command).await,
		WorkerCommand::Remove { worker } => {
			let worker = ctx.account_or_from(worker.as_deref())?;
			let included = ctx.submit("remove worker", &market.remove_worker(worker)).await?;
			(format!("{worker} is no longer a worker of its master"), included)
		},
	};
	ctx.print(result_json(&included, json!({})), || summary.clone());
	Ok(())
}

async fn endpoint(ctx: &mut Context, command: EndpointCommand) -> Result<(), CliError> {
	let market = runtime::transactions().market();
	let (summary, included) = match command {
		EndpointCommand::Show { worker } => {
			let worker = ctx.account_or_from(worker.as_deref())?.to_string();
			let endpoint = ctx.client().await?.endpoint(&worker).await?;
			ctx.print(json!({ "worker": worker, "endpoint": endpoint }), || match &endpoint {
				Some(endpoint) => endpoint.clone(),
				None => format!("{worker} publishes no endpoint"),
			});
			return Ok(());
		},
		EndpointCommand::Set { endpoint } => {
			sonm_primitives::endpoint::check_endpoint(endpoint.as_bytes()).map_err(|why| {
				CliError::usage(format!("{endpoint:?}: {}", why.describe()))
					.hint("e.g. http://203.0.113.7:9630")
			})?;
			let call = market.set_endpoint(BoundedVec(endpoint.clone().into_bytes()));
			let included = ctx.submit("publish endpoint", &call).await?;
			(format!("customers reach you at {endpoint}"), included)
		},
		EndpointCommand::Clear => {
			let included = ctx.submit("withdraw endpoint", &market.clear_endpoint()).await?;
			("endpoint withdrawn; its deposit is free again".to_owned(), included)
		},
	};
	ctx.print(result_json(&included, json!({})), || summary.clone());
	Ok(())
}

/// A transaction's result for --output json: what it did plus where it landed.
pub fn result_json(included: &Included, mut result: serde_json::Value) -> serde_json::Value {
	result["block"] = json!({
		"hash": included.block_hash,
		"number": included.block_number,
		"finalized": included.finalized,
	});
	result["extrinsic"] = json!(included.extrinsic_hash);
	result["events"] = json!(included.events);
	result
}

fn no_order(id: u64) -> CliError {
	CliError::not_possible(format!("no open order {id}"))
		.hint("it was cancelled, matched, or never placed (`sonm orders list`)")
}

fn no_deal(id: u64) -> CliError {
	CliError::not_possible(format!("no open deal {id}"))
		.hint("it was closed or never opened (`sonm deals list`)")
}

/// An RPC refusal of a listing (e.g. matching an unknown order) as "not found".
fn not_found(error: sonm_client::ClientError) -> CliError {
	match error {
		sonm_client::ClientError::Rpc { method, message } => {
			CliError::not_possible(format!("{method}: {message}"))
		},
		other => other.into(),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn order(id: u64, side: Side) -> Order {
		Order {
			id,
			author: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
			side,
			price: Price { per_second: 1_000, unit: sonm_primitives::market::PriceUnit::Snm },
			duration: 3_600,
			counterparty: None,
			min_identity: IdentityLevel::Anonymous,
			curator: None,
			tag: String::new(),
			benchmarks: vec![0; 12],
			netflags: 0,
			expires_at: None,
			placed_at: 0,
			deposit: 0,
			escrow: 0,
		}
	}

	/// The matching rules' agreement with the pallet and the worker's matcher is tested in
	/// `worker/tests/matching_agreement.rs`; here, that what the CLI says names the rule.
	#[test]
	fn every_refusal_names_the_rule_it_broke() {
		use MatchFailure::*;
		let (ask, bid) = (order(1, Side::Ask), order(2, Side::Bid));
		for failure in [
			NotAnAsk,
			NotABid,
			OrderExpired,
			SelfDeal,
			UnitMismatch,
			PriceTooHigh,
			DurationMismatch,
			AskCounterpartyMismatch,
			BidCounterpartyMismatch,
			CustomerIdentityTooLow,
			SupplierIdentityTooLow,
			NetflagsMismatch,
			BenchmarksTooLow,
			SupplierBlacklisted,
			CustomerBlacklisted,
		] {
			let message = refusal(failure, &ask, &bid).to_string();
			assert!(message.contains(failure.name()), "{message:?} names {failure:?}");
		}
	}
}
