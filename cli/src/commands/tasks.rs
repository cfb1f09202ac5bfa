//! `sonm task`: a deal's workload on its worker, through the worker's control plane, every
//! request signed by --from (the deal's customer).

use crate::{
	args::{TaskCommand, TaskTarget},
	context::Context,
	error::{CliError, Kind},
};
use serde_json::{json, Value};
use sonm_client::task_client::{TaskClient, TaskError};
use std::time::Duration;

pub async fn task(ctx: &mut Context, command: TaskCommand) -> Result<(), CliError> {
	match command {
		TaskCommand::Start { target, image, env, ports, volume, restart, command } => {
			let client = client(ctx, &target).await?;
			let spec = json!({
				"image": image, "command": command, "env": env, "ports": ports, "volume": volume,
				"restart": restart,
			});
			let path = format!("/deals/{}/task", target.deal);
			let answer = client.request("POST", &path, target.deal, Some(&spec)).await;
			let answer = answer.map_err(refused)?;
			ctx.print(answer.clone(), || {
				format!("task of deal {} started\n{}", target.deal, state(&answer))
			});
		},
		TaskCommand::Status { target } => {
			let client = client(ctx, &target).await?;
			let path = format!("/deals/{}/task", target.deal);
			let answer = client.request("GET", &path, target.deal, None).await.map_err(refused)?;
			ctx.print(answer.clone(), || state(&answer));
		},
		TaskCommand::Logs { target, follow, cursor: from, since, tail } => {
			let since = match since {
				Some(ago) => {
					let ago = crate::order_file::parse_duration("--since", &ago)?;
					Some(sonm_client::task_auth::unix_now().saturating_sub(ago))
				},
				None => None,
			};
			let client = client(ctx, &target).await?;
			let mut cursor = from;
			// `--since` and `--tail` choose the first page; following goes on from its cursor.
			let mut window: String = [
				since.map(|since| format!("&since={since}")),
				tail.map(|tail| format!("&tail={tail}")),
			]
			.into_iter()
			.flatten()
			.collect();
			loop {
				let path = format!("/deals/{}/logs?from={cursor}{window}", target.deal);
				let answer =
					client.request("GET", &path, target.deal, None).await.map_err(refused)?;
				let text = answer["text"].as_str().unwrap_or_default().to_owned();
				cursor = answer["next"].as_u64().unwrap_or(cursor as u64) as usize;
				let running = answer["running"].as_bool().unwrap_or(false);
				ctx.print(answer, || text.trim_end_matches('\n').to_owned());
				if !follow || !running {
					break;
				}
				window.clear();
				tokio::time::sleep(Duration::from_millis(500)).await;
			}
		},
		TaskCommand::Exec { target, command } => {
			let client = client(ctx, &target).await?;
			let path = format!("/deals/{}/exec", target.deal);
			let body = json!({ "command": command });
			let answer =
				client.request("POST", &path, target.deal, Some(&body)).await.map_err(refused)?;
			let output = answer["output"].as_str().unwrap_or_default().to_owned();
			let code = answer["exitCode"].as_i64().unwrap_or(-1);
			ctx.print(answer, || format!("{}(exit code {code})", output));
		},
		TaskCommand::Stop { target } => {
			let client = client(ctx, &target).await?;
			let path = format!("/deals/{}/stop", target.deal);
			let answer = client
				.request("POST", &path, target.deal, Some(&json!({})))
				.await
				.map_err(refused)?;
			ctx.print(answer, || format!("task of deal {} stopped and removed", target.deal));
		},
	}
	Ok(())
}

/// A signed client of the deal's worker: `--worker`, or the endpoint its supplier publishes.
async fn client(ctx: &mut Context, target: &TaskTarget) -> Result<TaskClient, CliError> {
	let signer = ctx.signer()?;
	let url = match &target.worker {
		Some(url) => url.clone(),
		None => worker_of(ctx, target.deal).await?,
	};
	Ok(TaskClient::new(&url, signer))
}

/// The control plane of deal `deal`'s supplier, from its endpoint record.
async fn worker_of(ctx: &mut Context, deal: u64) -> Result<String, CliError> {
	let chain = ctx.client().await?;
	let Some(open) = chain.deal(deal).await? else {
		return Err(CliError::not_possible(format!(
			"deal {deal} is not open, so the chain no longer names its supplier"
		))
		.hint("name the worker with --worker URL (a closed deal's logs stay readable there)"));
	};
	let Some(endpoint) = chain.endpoint(&open.supplier).await? else {
		return Err(CliError::not_possible(format!(
			"the supplier of deal {deal}, {}, publishes no endpoint",
			open.supplier
		))
		.hint("ask the supplier where its worker listens and pass --worker URL"));
	};
	if !sonm_primitives::endpoint::is_http(&endpoint) {
		return Err(CliError::not_possible(format!(
			"the supplier of deal {deal} is reached at {endpoint}, a libp2p address; this CLI \
			 speaks HTTP to workers"
		))
		.hint("pass --worker URL if the worker also serves HTTP"));
	}
	Ok(endpoint)
}

/// A task's state, short.
fn state(answer: &Value) -> String {
	let task = &answer["task"];
	if task.is_null() {
		return "no task".into();
	}
	let mut text = format!("status {}", task["status"].as_str().unwrap_or("?"));
	if let Some(code) = task["exit_code"].as_i64() {
		text.push_str(&format!(", exit code {code}"));
		if code == 137 {
			text.push_str(" (killed: out of memory or stopped)");
		}
	}
	if let Some(restarts @ 1..) = task["restarts"].as_i64() {
		text.push_str(&format!(", restarted {restarts} times"));
	}
	let limits = &task["limits"];
	if let (Some(cpus), Some(memory)) =
		(limits["nano_cpus"].as_i64(), limits["memory_bytes"].as_i64())
	{
		text.push_str(&format!(
			"\nlimits {} cores, {} MiB, {} processes",
			cpus as f64 / 1e9,
			memory >> 20,
			limits["pids"]
		));
	}
	for port in task["ports"].as_array().into_iter().flatten() {
		text.push_str(&format!("\nport {} -> host port {}", port[0], port[1]));
	}
	text
}

fn refused(error: TaskError) -> CliError {
	match error {
		TaskError::Refused { status, error, message } => CliError::new(
			if status == 401 || status == 403 { Kind::Key } else { Kind::NotPossible },
			format!("the worker refused: {error}: {message}"),
		),
		TaskError::Transport { .. } => CliError::new(Kind::Connection, error.to_string()),
	}
}
