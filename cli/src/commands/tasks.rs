//! `sonm task`: a deal's workload on its worker, through the worker's control plane, every
//! request signed by --from (the deal's customer).

use crate::{
	args::{TaskCommand, TaskFlags, TaskTarget},
	context::Context,
	error::{CliError, Kind},
};
use serde_json::json;
use sonm_client::{
	task_client::{TaskClient, TaskError},
	task_protocol::{
		ExecAnswer, ExecBody, ExecEnd, LogWindow, Restart, TaskAnswer, TaskSpec, TaskState,
	},
};
use std::time::Duration;

pub async fn task(ctx: &mut Context, command: TaskCommand) -> Result<(), CliError> {
	match command {
		TaskCommand::Start { target, image, task } => {
			let client = client(ctx, &target).await?;
			let spec = task_spec(image, task)?;
			let answer = client.start(target.deal, spec).await.map_err(refused)?;
			ctx.print(json!(answer), || {
				format!("task of deal {} started\n{}", target.deal, state(&answer))
			});
		},
		TaskCommand::Status { target } => {
			let client = client(ctx, &target).await?;
			let answer = client.status(target.deal).await.map_err(refused)?;
			ctx.print(json!(answer), || state(&answer));
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
			// `--since` and `--tail` choose the first page; following goes on from its cursor.
			let mut window = LogWindow { from, since, tail, follow: false };
			loop {
				let answer = client.logs(target.deal, window).await.map_err(refused)?;
				let (next, running, more) = (answer.next, answer.running, answer.more);
				let text = answer.text.trim_end_matches('\n').to_owned();
				ctx.print(json!(answer), || text);
				// A full page: the rest is there already, read on at once.
				if !more && (!follow || !running) {
					break;
				}
				window = LogWindow { from: next, ..LogWindow::default() };
				if !more {
					tokio::time::sleep(Duration::from_millis(500)).await;
				}
			}
		},
		TaskCommand::Exec { target, timeout, command } => {
			let timeout_secs = match timeout {
				Some(text) => Some(crate::order_file::parse_duration("--timeout", &text)?),
				None => None,
			};
			let client = client(ctx, &target).await?;
			let exec = ExecBody { command, timeout_secs };
			if ctx.is_json() {
				let mut output = String::new();
				let end = client
					.exec_with(target.deal, exec, |piece| output.push_str(piece))
					.await
					.map_err(refused)?;
				ctx.print(json!(ExecAnswer { output, end }), String::new);
			} else {
				// The output as it comes; how it ended, after it.
				let end = client
					.exec_with(target.deal, exec, |piece| {
						use std::io::Write;
						let mut stdout = std::io::stdout().lock();
						let _ = stdout.write_all(piece.as_bytes());
						let _ = stdout.flush();
					})
					.await
					.map_err(refused)?;
				ctx.print(json!(end), || ended(&end));
			}
		},
		TaskCommand::Forward { target, ports } => forward(ctx, &target, &ports).await?,
		TaskCommand::Stop { target } => {
			let client = client(ctx, &target).await?;
			let answer = client.stop(target.deal).await.map_err(refused)?;
			ctx.print(json!(answer), || {
				format!("task of deal {} stopped and removed", target.deal)
			});
		},
	}
	Ok(())
}

/// A signed client of the deal's worker: `--worker`, or the endpoint its supplier publishes;
/// over HTTP to a URL, over a libp2p stream to a multiaddress with `/p2p/<peer id>`.
async fn client(ctx: &mut Context, target: &TaskTarget) -> Result<TaskClient, CliError> {
	let signer = ctx.signer()?;
	let endpoint = endpoint(ctx, target).await?;
	worker_client(&endpoint, signer).await
}

/// A client of the control plane at `endpoint` signing with `signer`: over HTTP to a URL, over
/// a libp2p stream to a multiaddress with `/p2p/<peer id>`.
pub async fn worker_client(
	endpoint: &str,
	signer: sonm_client::Key,
) -> Result<TaskClient, CliError> {
	if sonm_primitives::endpoint::is_http(endpoint) {
		return Ok(TaskClient::new(endpoint, signer));
	}
	let (host, address) = dialer(endpoint).await?;
	let transport = sonm_p2p::task::P2pTransport::new(host, address);
	Ok(TaskClient::over(std::sync::Arc::new(transport), signer))
}

/// Where the deal's worker is reached: `--worker`, or the endpoint its supplier publishes.
async fn endpoint(ctx: &mut Context, target: &TaskTarget) -> Result<String, CliError> {
	match &target.worker {
		Some(endpoint) => Ok(endpoint.clone()),
		None => worker_of(ctx, target.deal).await,
	}
}

/// A libp2p host of this command's own (a new identity; it dials, and listens on any port
/// only so that a worker behind NAT can punch a direct path to it) and the worker's address
/// `endpoint` (with `/p2p/<peer id>`).
async fn dialer(endpoint: &str) -> Result<(sonm_p2p::Host, sonm_p2p::Multiaddr), CliError> {
	let address: sonm_p2p::Multiaddr = endpoint.parse().map_err(|e| {
		CliError::usage(format!(
			"{endpoint:?} is neither an HTTP URL nor a libp2p multiaddress: {e}"
		))
	})?;
	if sonm_p2p::host::peer_of(&address).is_none() {
		return Err(CliError::usage(format!(
			"{endpoint} names no peer: it must end in /p2p/<peer id>"
		)));
	}
	let listen = sonm_p2p::host::any_port();
	let host = sonm_p2p::Host::start(sonm_p2p::Keypair::generate_ed25519(), &listen)
		.await
		.map_err(|e| CliError::not_possible(e.to_string()))?;
	Ok((host, address))
}

/// `sonm task forward`: each connection to the local port carried to the task's port over its
/// own signed libp2p stream, until Ctrl-C.
async fn forward(ctx: &mut Context, target: &TaskTarget, ports: &str) -> Result<(), CliError> {
	let (local, task_port) = ports
		.split_once(':')
		.and_then(|(local, task)| Some((local.parse::<u16>().ok()?, task.parse::<u16>().ok()?)))
		.filter(|(_, task)| *task > 0)
		.ok_or_else(|| CliError::usage(format!("{ports:?}: give LOCAL:TASK, e.g. 8080:80")))?;
	let signer = ctx.signer()?;
	let endpoint = endpoint(ctx, target).await?;
	if sonm_primitives::endpoint::is_http(&endpoint) {
		return Err(CliError::not_possible(format!(
			"the worker is reached at {endpoint}, over HTTP; forwarding needs its libp2p address"
		))
		.hint("connect to the port the task publishes on the worker's host (`sonm task status`)"));
	}
	let (host, address) = dialer(&endpoint).await?;
	let listener = tokio::net::TcpListener::bind(("127.0.0.1", local))
		.await
		.map_err(|e| CliError::not_possible(format!("cannot listen on 127.0.0.1:{local}: {e}")))?;
	let bound = listener.local_addr().map_err(|e| CliError::not_possible(e.to_string()))?;
	eprintln!("forwarding {bound} to deal {}'s port {task_port} over {address}", target.deal);
	let transport = sonm_p2p::task::P2pTransport::new(host.clone(), address.clone());
	let client = TaskClient::over(std::sync::Arc::new(transport), signer);
	let path = sonm_client::task_protocol::routes::forward_path(target.deal, task_port);
	let mut connections = 0u64;
	loop {
		let (connection, from) = tokio::select! {
			accepted = listener.accept() => {
				accepted.map_err(|e| CliError::not_possible(e.to_string()))?
			},
			_ = tokio::signal::ctrl_c() => return Ok(()),
		};
		connections += 1;
		let signed = client.sign(sonm_p2p::forward::METHOD, &path, target.deal, b"");
		let (host, address, number) = (host.clone(), address.clone(), connections);
		tokio::spawn(async move {
			match sonm_p2p::forward::connect(&host, &address, &signed, connection).await {
				Ok((sent, received)) => eprintln!(
					"connection {number} from {from} closed: {sent} bytes sent, {received} received"
				),
				Err(error) => eprintln!("connection {number} from {from}: {error}"),
			}
		});
	}
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
	Ok(endpoint)
}

/// How an exec ended, short.
fn ended(end: &ExecEnd) -> String {
	let code = match end.exit_code {
		Some(code) => format!("exit code {code}"),
		None => "no exit code".into(),
	};
	let why = if end.timed_out {
		": stopped at its time limit"
	} else if end.truncated {
		": stopped for printing more than the worker sends of one exec"
	} else {
		""
	};
	match &end.error {
		Some(error) => format!("({code}{why}; {error})"),
		None => format!("({code}{why})"),
	}
}

/// A task's state, short.
fn state(answer: &TaskAnswer) -> String {
	match &answer.task {
		Some(task) => task_state(task),
		None => "no task".into(),
	}
}

/// A task's state as a person reads it: status, exit code, restarts, limits, ports.
pub fn task_state(task: &TaskState) -> String {
	let mut text = format!("status {}", task.status);
	if let Some(code) = task.exit_code {
		text.push_str(&format!(", exit code {code}"));
		if code == 137 {
			text.push_str(" (killed: out of memory or stopped)");
		}
	}
	if task.restarts > 0 {
		text.push_str(&format!(", restarted {} times", task.restarts));
	}
	let limits = task.limits;
	if limits.nano_cpus > 0 || limits.memory_bytes > 0 {
		text.push_str(&format!(
			"\nlimits {} cores, {} MiB, {} processes",
			limits.nano_cpus as f64 / 1e9,
			limits.memory_bytes >> 20,
			limits.pids
		));
	}
	for (container, host) in &task.ports {
		text.push_str(&format!("\nport {container} -> host port {host}"));
	}
	text
}

/// The task of `image` and `flags`.
pub fn task_spec(image: String, flags: TaskFlags) -> Result<TaskSpec, CliError> {
	let TaskFlags { env, ports, volume, restart, command } = flags;
	let restart: Restart = serde_json::from_value(json!(restart.as_deref().unwrap_or("no")))
		.map_err(|e| CliError::usage(format!("--restart: {e}")))?;
	Ok(TaskSpec { image, command, env, ports, volume, restart })
}

pub fn refused(error: TaskError) -> CliError {
	match error {
		TaskError::Refused { status, error, message } => CliError::new(
			if status == 401 || status == 403 { Kind::Key } else { Kind::NotPossible },
			format!("the worker refused: {error}: {message}"),
		),
		TaskError::Transport { .. } => CliError::new(Kind::Connection, error.to_string()),
	}
}
