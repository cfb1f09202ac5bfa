//! The container engine behind the tasks: the Docker Engine API (`bollard`), served by podman's
//! API service or dockerd. One container per deal, named `sonm-<worker>-deal-<id>` (several
//! workers may share an engine) and labelled with the
//! deal and the worker, so that after a crash the worker finds its containers again. Every
//! container runs unprivileged: all capabilities dropped, `no-new-privileges`, no host mounts,
//! an init process, the deal's CPU and memory, a pids limit and ulimits, and a cap on the
//! output the engine keeps. A task with network gets a bridge network of its own, named like
//! its container, on an interface the task firewall knows ([`super::firewall`]).

use crate::tasks::{firewall, limits::TaskLimits};
use bollard::{
	auth::DockerCredentials,
	container::LogOutput,
	exec::{CreateExecOptions, StartExecResults},
	models::{
		ContainerCreateBody, HostConfig, HostConfigLogConfig, NetworkCreateRequest, PortBinding,
		ResourcesUlimits, RestartPolicy, RestartPolicyNameEnum, VolumeCreateRequest,
	},
	query_parameters::{
		CreateContainerOptions, CreateImageOptions, ListContainersOptions, ListNetworksOptions,
		ListVolumesOptions, LogsOptions, RemoveContainerOptions, RemoveVolumeOptions,
		StopContainerOptions,
	},
	Docker,
};
use futures::{stream::BoxStream, StreamExt};
use std::{
	collections::HashMap,
	path::{Path, PathBuf},
};

/// The label that carries a container's deal.
pub const DEAL_LABEL: &str = "sonm.deal";
/// The label that carries the worker that runs it.
pub const WORKER_LABEL: &str = "sonm.worker";
/// The label that carries the deal's customer, who may read the output after the deal.
pub const CONSUMER_LABEL: &str = "sonm.consumer";

pub use sonm_client::task_protocol::{Applied, Restart, TaskSpec, TaskState, MAX_RESTARTS};

/// The engine's network option that names a bridge's interface.
const BRIDGE_OPTION: &str = "com.docker.network.bridge.name";

/// The registry a worker pulls images from.
#[derive(Clone, PartialEq, Eq)]
pub struct Registry {
	/// `host[:port]`: images named `host[:port]/repo:tag` are pulled from it.
	pub host: String,
	/// User name and password, when the registry asks for them.
	pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Registry {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		// Never the password.
		let user = self.credentials.as_ref().map(|(user, _)| user.as_str());
		f.debug_struct("Registry")
			.field("host", &self.host)
			.field("user", &user)
			.finish()
	}
}

impl Registry {
	/// Whether `image` names a repository of this registry.
	pub fn holds(&self, image: &str) -> bool {
		image.strip_prefix(self.host.as_str()).is_some_and(|rest| rest.starts_with('/'))
	}
}

/// An engine failure, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("container engine: {action}: {error}")]
pub struct EngineError {
	action: String,
	error: String,
}

fn failed(action: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> EngineError {
	let action = action.into();
	move |error| EngineError { action, error: error.to_string() }
}

/// A removal's result, where a thing already gone (404) is removed too.
fn removed(
	result: Result<(), bollard::errors::Error>,
	action: impl Into<String>,
) -> Result<(), EngineError> {
	match result {
		Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Ok(()),
		other => other.map_err(failed(action)),
	}
}

/// A connection to the engine.
#[derive(Clone)]
pub struct Engine {
	docker: Docker,
	worker: String,
	/// Where the deals' volume files are.
	volumes: PathBuf,
	/// The host customers reach published ports on, given to tasks as `SONM_HOST`.
	public_host: Option<String>,
	/// Whether each task with network gets a network of its own.
	isolate_networks: bool,
	/// The most output bytes the engine keeps of a task.
	log_bytes: u64,
}

/// An exec under way: its id and its output as it comes.
pub struct ExecSession {
	/// The engine's id of the exec.
	pub id: String,
	/// stdout and stderr, in order.
	pub output: BoxStream<'static, Result<LogOutput, bollard::errors::Error>>,
}

/// The interface name of `worker`'s deal `deal`'s bridge: [`firewall::OUTBOUND_PREFIX`] or
/// [`firewall::INCOMING_ONLY_PREFIX`] and nine hex digits of a hash of the two (at most 15
/// characters, Linux's limit).
pub fn bridge_name(worker: &str, deal: u64, outbound: bool) -> String {
	use std::hash::{Hash, Hasher};
	let mut hasher = std::hash::DefaultHasher::new();
	(worker, deal).hash(&mut hasher);
	let prefix = if outbound { firewall::OUTBOUND_PREFIX } else { firewall::INCOMING_ONLY_PREFIX };
	format!("{prefix}{:09x}", hasher.finish() & 0xf_ffff_ffff)
}

/// The container name of `worker`'s (SS58) deal `deal`.
pub fn container_name(worker: &str, deal: u64) -> String {
	format!("sonm-{worker}-deal-{deal}")
}

impl Engine {
	/// Connects to the engine's Unix socket (`/run/podman/podman.sock`, ...), for `worker`,
	/// keeping deals' volume files in `volumes`.
	pub fn connect(socket: &str, worker: &str, volumes: &Path) -> Result<Self, EngineError> {
		let docker = Docker::connect_with_unix(socket, 120, bollard::API_DEFAULT_VERSION)
			.map_err(failed(format!("connect to {socket}")))?;
		Ok(Self {
			docker,
			worker: worker.to_owned(),
			volumes: volumes.to_owned(),
			public_host: None,
			isolate_networks: true,
			log_bytes: crate::tasks::bounds::Bounds::default().log_bytes,
		})
	}

	/// Whether tasks get networks of their own (default) and how much output the engine keeps
	/// of each.
	pub fn with_bounds(mut self, bounds: &crate::tasks::bounds::Bounds) -> Self {
		self.isolate_networks = bounds.isolate_networks;
		self.log_bytes = bounds.log_bytes;
		self
	}

	/// The worker whose tasks it runs.
	pub fn worker(&self) -> &str {
		&self.worker
	}

	/// Gives tasks that publish ports `SONM_HOST=host`.
	pub fn with_public_host(mut self, host: Option<&str>) -> Self {
		self.public_host = host.map(str::to_owned);
		self
	}

	/// Makes sure deal `deal`'s volume exists (an ext4 file system of `bytes` in a sparse file,
	/// loop-mounted by the engine when a container uses it, so that the task cannot write more)
	/// and returns its name. A volume made earlier in the deal is kept as it is.
	pub async fn ensure_volume(&self, deal: u64, bytes: u64) -> Result<String, EngineError> {
		let name = container_name(&self.worker, deal);
		if self.docker.inspect_volume(&name).await.is_ok() {
			return Ok(name);
		}
		let file = self.volumes.join(format!("{name}.ext4"));
		let io = |action: &str| {
			let action = format!("{action} {}", file.display());
			move |error: std::io::Error| EngineError { action, error: error.to_string() }
		};
		tokio::fs::create_dir_all(&self.volumes)
			.await
			.map_err(io("make the folder of"))?;
		let sparse = tokio::fs::File::create(&file).await.map_err(io("create"))?;
		sparse.set_len(bytes).await.map_err(io("size"))?;
		let made = tokio::process::Command::new("mkfs.ext4")
			.args(["-q", "-F", "-m", "0"])
			.arg(&file)
			.output()
			.await
			.map_err(io("run mkfs.ext4 on"))?;
		if !made.status.success() {
			return Err(EngineError {
				action: format!("mkfs.ext4 {}", file.display()),
				error: String::from_utf8_lossy(&made.stderr).trim().to_owned(),
			});
		}
		let request = VolumeCreateRequest {
			name: Some(name.clone()),
			driver: Some("local".into()),
			driver_opts: Some(HashMap::from([
				("type".to_owned(), "ext4".to_owned()),
				("device".to_owned(), file.display().to_string()),
				("o".to_owned(), "loop".to_owned()),
			])),
			labels: Some(HashMap::from([
				(DEAL_LABEL.to_owned(), deal.to_string()),
				(WORKER_LABEL.to_owned(), self.worker.clone()),
			])),
			..Default::default()
		};
		self.docker
			.create_volume(request)
			.await
			.map_err(failed(format!("create volume {name}")))?;
		Ok(name)
	}

	/// Removes deal `deal`'s volume and its file, if there are any.
	pub async fn remove_volume(&self, deal: u64) -> Result<(), EngineError> {
		let name = container_name(&self.worker, deal);
		let options = RemoveVolumeOptions { force: true };
		removed(
			self.docker.remove_volume(&name, Some(options)).await,
			format!("remove volume {name}"),
		)?;
		let file = self.volumes.join(format!("{name}.ext4"));
		match tokio::fs::remove_file(&file).await {
			Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(EngineError {
				action: format!("remove {}", file.display()),
				error: error.to_string(),
			}),
			_ => Ok(()),
		}
	}

	/// The engine's version, to check the connection.
	pub async fn version(&self) -> Result<String, EngineError> {
		let version = self.docker.version().await.map_err(failed("version"))?;
		Ok(version.version.unwrap_or_default())
	}

	/// The content digest (`sha256:...`) of a local image, or `None` when the engine does not
	/// have it.
	pub async fn image_digest(&self, image: &str) -> Result<Option<String>, EngineError> {
		match self.docker.inspect_image(image).await {
			Ok(inspected) => Ok(inspected.id),
			Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
				Ok(None)
			},
			Err(error) => Err(failed(format!("inspect image {image}"))(error)),
		}
	}

	/// Pulls `image` from `registry`; returns how many progress messages the engine sent.
	pub async fn pull(&self, image: &str, registry: &Registry) -> Result<usize, EngineError> {
		let options =
			CreateImageOptions { from_image: Some(image.to_owned()), ..Default::default() };
		let credentials =
			registry.credentials.as_ref().map(|(username, password)| DockerCredentials {
				username: Some(username.clone()),
				password: Some(password.clone()),
				serveraddress: Some(registry.host.clone()),
				..Default::default()
			});
		let mut progress = self.docker.create_image(Some(options), None, credentials);
		let mut messages = 0;
		while let Some(message) = progress.next().await {
			message.map_err(failed(format!("pull {image}")))?;
			messages += 1;
		}
		Ok(messages)
	}

	/// Creates and starts deal `deal`'s task with `limits`; `host_ports` are the host ports for
	/// the spec's ports, in order (ignored unless the limits allow publishing).
	pub async fn start(
		&self,
		deal: u64,
		consumer: &str,
		spec: &TaskSpec,
		limits: &TaskLimits,
		host_ports: &[u16],
		volume: Option<&str>,
	) -> Result<String, EngineError> {
		let name = container_name(&self.worker, deal);
		let binds = match (volume, &spec.volume) {
			(Some(volume), Some(target)) => Some(vec![format!("{volume}:{target}")]),
			_ => None,
		};
		let mut port_bindings = HashMap::new();
		let mut env = spec.env.clone();
		if limits.publish_ports {
			if let Some(host) = &self.public_host {
				env.push(format!("SONM_HOST={host}"));
			}
			for (i, (port, host)) in spec.ports.iter().zip(host_ports).enumerate() {
				port_bindings.insert(
					format!("{port}/tcp"),
					// No host address: every address of the host. (`0.0.0.0` makes podman's
					// netavark match packets *to* 0.0.0.0, which never come.)
					Some(vec![PortBinding { host_ip: None, host_port: Some(host.to_string()) }]),
				);
				env.push(format!("SONM_PORT_{i}={host}"));
			}
		}
		let network_mode = match (limits.outbound, limits.publish_ports) {
			(false, false) => Some("none".to_owned()),
			(outbound, _) if self.isolate_networks => {
				Some(self.ensure_network(deal, outbound).await?)
			},
			_ => None,
		};
		let always = limits.always;
		let host_config = HostConfig {
			nano_cpus: Some(limits.nano_cpus),
			memory: Some(limits.memory_bytes),
			memory_swap: Some(limits.memory_bytes),
			pids_limit: Some(always.pids),
			ulimits: Some(vec![
				ResourcesUlimits {
					name: Some("nofile".into()),
					soft: Some(always.nofile),
					hard: Some(always.nofile),
				},
				ResourcesUlimits {
					name: Some("nproc".into()),
					soft: Some(always.nproc),
					hard: Some(always.nproc),
				},
			]),
			privileged: Some(false),
			cap_drop: Some(vec!["ALL".into()]),
			security_opt: Some(vec!["no-new-privileges".into()]),
			init: Some(true),
			restart_policy: Some(RestartPolicy {
				name: Some(match spec.restart {
					Restart::No => RestartPolicyNameEnum::NO,
					Restart::OnFailure => RestartPolicyNameEnum::ON_FAILURE,
					Restart::Always => RestartPolicyNameEnum::ALWAYS,
				}),
				maximum_retry_count: (spec.restart == Restart::OnFailure).then_some(MAX_RESTARTS),
			}),
			port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
			binds,
			network_mode,
			log_config: Some(HostConfigLogConfig {
				typ: None,
				config: Some(HashMap::from([("max-size".into(), self.log_bytes.to_string())])),
			}),
			..Default::default()
		};
		let labels = HashMap::from([
			(DEAL_LABEL.to_owned(), deal.to_string()),
			(WORKER_LABEL.to_owned(), self.worker.clone()),
			(CONSUMER_LABEL.to_owned(), consumer.to_owned()),
		]);
		let body = ContainerCreateBody {
			image: Some(spec.image.clone()),
			cmd: (!spec.command.is_empty()).then(|| spec.command.clone()),
			env: Some(env),
			labels: Some(labels),
			exposed_ports: limits
				.publish_ports
				.then(|| spec.ports.iter().map(|port| format!("{port}/tcp")).collect()),
			host_config: Some(host_config),
			..Default::default()
		};
		let options = CreateContainerOptions { name: Some(name.clone()), ..Default::default() };
		let created = match self.docker.create_container(Some(options), body).await {
			Ok(created) => created,
			Err(error) => {
				// Not left half-made: no network without its task.
				let _ = self.remove_network(deal).await;
				return Err(failed(format!("create {name}"))(error));
			},
		};
		crate::failpoint::reached("task-created");
		if let Err(error) = self.resume(deal).await {
			// Not left half-made: the customer may correct the spec and start again.
			let _ = self.remove(deal, 0).await;
			return Err(error);
		}
		Ok(created.id)
	}

	/// Makes sure deal `deal`'s network exists (a bridge of its own, no IPv6, the engine's
	/// resolver on its gateway) and returns its name. A network left from an earlier task of
	/// the deal is used again if it is of the same kind (OUTBOUND or not), made again if not.
	async fn ensure_network(&self, deal: u64, outbound: bool) -> Result<String, EngineError> {
		let name = container_name(&self.worker, deal);
		let interface = bridge_name(&self.worker, deal, outbound);
		if let Ok(existing) = self.docker.inspect_network(&name, None).await {
			let same = existing
				.options
				.as_ref()
				.and_then(|options| options.get(BRIDGE_OPTION))
				.is_some_and(|existing| *existing == interface);
			if same {
				return Ok(name);
			}
			self.remove_network(deal).await?;
		}
		let request = NetworkCreateRequest {
			name: name.clone(),
			driver: Some("bridge".into()),
			enable_ipv6: Some(false),
			options: Some(HashMap::from([(BRIDGE_OPTION.to_owned(), interface)])),
			labels: Some(HashMap::from([
				(DEAL_LABEL.to_owned(), deal.to_string()),
				(WORKER_LABEL.to_owned(), self.worker.clone()),
			])),
			..Default::default()
		};
		self.docker
			.create_network(request)
			.await
			.map_err(failed(format!("create network {name}")))?;
		Ok(name)
	}

	/// Removes deal `deal`'s network, if it has one.
	pub async fn remove_network(&self, deal: u64) -> Result<(), EngineError> {
		let name = container_name(&self.worker, deal);
		removed(self.docker.remove_network(&name).await, format!("remove network {name}"))
	}

	/// Starts deal `deal`'s created container (a start the worker died before finishing);
	/// one already running is left as it is.
	pub async fn resume(&self, deal: u64) -> Result<(), EngineError> {
		let name = container_name(&self.worker, deal);
		match self.docker.start_container(&name, None).await {
			Ok(()) => Ok(()),
			Err(bollard::errors::Error::DockerResponseServerError { status_code: 304, .. }) => {
				Ok(())
			},
			Err(error) => Err(failed(format!("start {name}"))(error)),
		}
	}

	/// The task of deal `deal`, if its container exists.
	pub async fn state(&self, deal: u64) -> Result<Option<TaskState>, EngineError> {
		let name = container_name(&self.worker, deal);
		let inspected = match self.docker.inspect_container(&name, None).await {
			Ok(inspected) => inspected,
			Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
				return Ok(None)
			},
			// podman reports a container between exiting and being reaped as `stopped`, a
			// state the Docker API (and bollard) does not have: it has exited; ask its code.
			Err(error) if error.to_string().contains("unknown variant `stopped`") => {
				return self.stopped(deal).await.map(Some);
			},
			Err(error) => return Err(failed(format!("inspect {name}"))(error)),
		};
		let consumer = inspected
			.config
			.as_ref()
			.and_then(|config| config.labels.as_ref()?.get(CONSUMER_LABEL).cloned())
			.unwrap_or_default();
		let limits = inspected
			.host_config
			.as_ref()
			.map(|host| Applied {
				nano_cpus: host.nano_cpus.unwrap_or_default(),
				memory_bytes: host.memory.unwrap_or_default(),
				pids: host.pids_limit.unwrap_or_default(),
			})
			.unwrap_or_default();
		let restarts = inspected.restart_count.unwrap_or_default();
		let state = inspected.state.unwrap_or_default();
		let status = state.status.map(|status| status.to_string()).unwrap_or_default();
		let exited = !state.running.unwrap_or(false);
		let mut ports = Vec::new();
		if let Some(map) = inspected.network_settings.and_then(|settings| settings.ports) {
			for (port, bindings) in map {
				let Some(port) = port.split('/').next().and_then(|p| p.parse().ok()) else {
					continue;
				};
				for binding in bindings.unwrap_or_default() {
					if let Some(host) = binding.host_port.and_then(|p| p.parse().ok()) {
						ports.push((port, host));
					}
				}
			}
		}
		ports.sort();
		ports.dedup();
		Ok(Some(TaskState {
			deal,
			container: inspected.id.unwrap_or_default(),
			status,
			exit_code: exited.then_some(state.exit_code).flatten(),
			ports,
			consumer,
			limits,
			restarts,
		}))
	}

	/// A task whose container has stopped: its exit code, from the engine's wait.
	async fn stopped(&self, deal: u64) -> Result<TaskState, EngineError> {
		let name = container_name(&self.worker, deal);
		let mut wait = self.docker.wait_container(&name, None);
		let code = match wait.next().await {
			Some(Ok(response)) => response.status_code,
			// bollard reports a non-zero exit as an error carrying the code.
			Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => code,
			Some(Err(error)) => return Err(failed(format!("wait for {name}"))(error)),
			None => -1,
		};
		let consumer = self
			.docker
			.list_containers(Some(ListContainersOptions {
				all: true,
				filters: Some(HashMap::from([("name".to_owned(), vec![name.clone()])])),
				..Default::default()
			}))
			.await
			.ok()
			.and_then(|list| list.into_iter().next()?.labels?.get(CONSUMER_LABEL).cloned())
			.unwrap_or_default();
		Ok(TaskState {
			deal,
			container: name,
			status: "exited".into(),
			exit_code: Some(code),
			ports: Vec::new(),
			consumer,
			limits: Applied::default(),
			restarts: 0,
		})
	}

	/// The deals this worker has containers (in any state), volumes or networks of.
	pub async fn deals(&self) -> Result<Vec<u64>, EngineError> {
		let filters =
			HashMap::from([("label".to_owned(), vec![format!("{WORKER_LABEL}={}", self.worker)])]);
		let options = ListContainersOptions {
			all: true,
			filters: Some(filters.clone()),
			..Default::default()
		};
		let containers = self
			.docker
			.list_containers(Some(options))
			.await
			.map_err(failed("list containers"))?;
		let volumes = self
			.docker
			.list_volumes(Some(ListVolumesOptions { filters: Some(filters.clone()) }))
			.await
			.map_err(failed("list volumes"))?;
		let networks = self
			.docker
			.list_networks(Some(ListNetworksOptions { filters: Some(filters) }))
			.await
			.map_err(failed("list networks"))?;
		let mut deals: Vec<u64> = containers
			.into_iter()
			.filter_map(|container| container.labels)
			.chain(volumes.volumes.unwrap_or_default().into_iter().map(|volume| volume.labels))
			.chain(networks.into_iter().filter_map(|network| network.labels))
			.filter_map(|labels| labels.get(DEAL_LABEL)?.parse().ok())
			.collect();
		deals.sort();
		deals.dedup();
		Ok(deals)
	}

	/// Stops deal `deal`'s task (SIGTERM, then SIGKILL after `grace` seconds) and removes it
	/// and its network.
	pub async fn remove(&self, deal: u64, grace: i32) -> Result<(), EngineError> {
		let name = container_name(&self.worker, deal);
		let stop = StopContainerOptions { t: Some(grace), ..Default::default() };
		match self.docker.stop_container(&name, Some(stop)).await {
			Ok(()) => {},
			Err(bollard::errors::Error::DockerResponseServerError { status_code, .. })
				if status_code == 304 || status_code == 404 => {},
			Err(error) => return Err(failed(format!("stop {name}"))(error)),
		}
		let remove = RemoveContainerOptions { force: true, ..Default::default() };
		removed(self.docker.remove_container(&name, Some(remove)).await, format!("remove {name}"))?;
		self.remove_network(deal).await
	}

	/// The task's output so far (stdout and stderr, in order), each line after the engine's
	/// RFC 3339 timestamp and a space (see [`crate::tasks::logs`]; a line the engine took in
	/// pieces comes whole, with its first timestamp), as it is read.
	pub fn log_chunks(&self, deal: u64) -> BoxStream<'static, Result<Vec<u8>, EngineError>> {
		let name = container_name(&self.worker, deal);
		let options =
			LogsOptions { stdout: true, stderr: true, timestamps: true, ..Default::default() };
		let mut joiner = crate::tasks::logs::FrameJoiner::default();
		self.docker
			.logs(&name, Some(options))
			.map(move |frame| {
				frame
					.map(|frame| joiner.join(&frame.into_bytes()).to_vec())
					.map_err(failed(format!("logs of {name}")))
			})
			.boxed()
	}

	/// The task's whole output so far (at most what the engine keeps: its log cap).
	pub async fn logs(&self, deal: u64) -> Result<Vec<u8>, EngineError> {
		let mut chunks = self.log_chunks(deal);
		let mut bytes = Vec::new();
		while let Some(chunk) = chunks.next().await {
			bytes.extend_from_slice(&chunk?);
		}
		Ok(bytes)
	}

	/// Starts `command` in deal `deal`'s task, not interactively; its output comes as it is
	/// written.
	pub async fn exec_start(
		&self,
		deal: u64,
		command: &[String],
	) -> Result<ExecSession, EngineError> {
		let name = container_name(&self.worker, deal);
		let options = CreateExecOptions {
			cmd: Some(command.to_vec()),
			attach_stdout: Some(true),
			attach_stderr: Some(true),
			privileged: Some(false),
			..Default::default()
		};
		let exec = self
			.docker
			.create_exec(&name, options)
			.await
			.map_err(failed(format!("exec in {name}")))?;
		match self
			.docker
			.start_exec(&exec.id, None)
			.await
			.map_err(failed(format!("exec in {name}")))?
		{
			StartExecResults::Attached { output, .. } => Ok(ExecSession { id: exec.id, output }),
			StartExecResults::Detached => {
				Ok(ExecSession { id: exec.id, output: futures::stream::empty().boxed() })
			},
		}
	}

	/// An exec's exit code, once it has ended (`None` while it runs).
	pub async fn exec_exit_code(&self, exec: &str) -> Result<Option<i64>, EngineError> {
		let inspected = self
			.docker
			.inspect_exec(exec)
			.await
			.map_err(failed(format!("inspect exec {exec}")))?;
		if inspected.running.unwrap_or(false) {
			return Ok(None);
		}
		Ok(Some(inspected.exit_code.unwrap_or(-1)))
	}

	/// Kills an exec's process and every process it started (the engine's API has no way to
	/// stop an exec: the worker, on the engine's host, signals them by their host PIDs).
	pub async fn kill_exec(&self, exec: &str) -> Result<(), EngineError> {
		let inspected = self
			.docker
			.inspect_exec(exec)
			.await
			.map_err(failed(format!("inspect exec {exec}")))?;
		let Some(pid) = inspected.pid.filter(|pid| *pid > 1) else { return Ok(()) };
		for process in process_tree(pid as i32) {
			// SAFETY: sending a signal to a process by its PID.
			unsafe { libc::kill(process, libc::SIGKILL) };
		}
		Ok(())
	}

	/// Runs `command` in deal `deal`'s task, not interactively; returns its exit code and
	/// output, collected (for the worker's own short commands and tests; customers' execs go
	/// through the task service, which bounds them).
	pub async fn exec(&self, deal: u64, command: &[String]) -> Result<(i64, Vec<u8>), EngineError> {
		let mut session = self.exec_start(deal, command).await?;
		let mut output = Vec::new();
		while let Some(chunk) = session.output.next().await {
			let chunk = chunk.map_err(failed(format!("exec output of deal {deal}")))?;
			output.extend_from_slice(&chunk.into_bytes());
		}
		Ok((self.exec_exit_code(&session.id).await?.unwrap_or(-1), output))
	}
}

/// `root` and every process descended from it, from `/proc` (parents before children).
fn process_tree(root: i32) -> Vec<i32> {
	let parents: Vec<(i32, i32)> = std::fs::read_dir("/proc")
		.into_iter()
		.flatten()
		.flatten()
		.filter_map(|entry| {
			let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
			let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
			// `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
			let after = &stat[stat.rfind(')')? + 1..];
			let parent: i32 = after.split_whitespace().nth(1)?.parse().ok()?;
			Some((pid, parent))
		})
		.collect();
	let mut tree = vec![root];
	let mut next = 0;
	while next < tree.len() {
		let parent = tree[next];
		tree.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(pid, _)| *pid));
		next += 1;
	}
	tree
}
