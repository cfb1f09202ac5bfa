//! Network namespaces for tests: [`Lan`], for tests that cut links between processes (a switch
//! namespace holding a bridge, and hosts that each have one veth into it, on a private subnet),
//! [`Neighbour`], a machine the host reaches over a veth of its own (what a task may or may
//! not reach), and [`NatNetwork`], a public switch with hosts behind NAT routers. Nothing is
//! attached to the machine's own outside interfaces and nothing is routed out. Every namespace
//! is deleted when dropped (its processes must be stopped first).
//!
//! [`command_in`] runs a program in a namespace and [`within`] runs a closure on a thread
//! there (a socket it opens stays in that namespace).

use std::process::{Command, Output};

/// Runs `ip` with `args`; panics with its error output when it fails.
pub fn ip(args: &[&str]) {
	let out = Command::new("ip").args(args).output().expect("iproute2's ip runs");
	assert!(
		out.status.success(),
		"ip {}: {}",
		args.join(" "),
		String::from_utf8_lossy(&out.stderr)
	);
}

/// A command that runs `program` in network namespace `ns` and nowhere else (`nsenter --net`):
/// unlike `ip netns exec` it keeps the machine's mounts, so `/sys/fs/cgroup` stays visible (a
/// container engine needs it). `ip netns exec` execs too: the child's PID is the program's.
pub fn command_in(ns: &str, program: impl AsRef<std::ffi::OsStr>) -> Command {
	let mut command = Command::new("nsenter");
	command.arg(format!("--net=/var/run/netns/{ns}")).arg(program);
	command
}

/// Runs `program ARGS` in namespace `ns` and waits for it; panics when it fails.
pub fn run_in(ns: &str, program: &str, args: &[&str]) {
	let out = command_in(ns, program).args(args).output().expect("nsenter runs");
	assert!(
		out.status.success(),
		"{program} {} in {ns}: {}",
		args.join(" "),
		String::from_utf8_lossy(&out.stderr)
	);
}

/// Runs `work` on a thread of this process that has joined network namespace `ns`: what it
/// connects to is reached from there, and the sockets it returns stay in that namespace.
pub fn within<T: Send>(ns: &str, work: impl FnOnce() -> T + Send) -> T {
	use std::os::fd::AsRawFd;
	let namespace = std::fs::File::open(format!("/var/run/netns/{ns}"))
		.unwrap_or_else(|error| panic!("namespace {ns}: {error}"));
	std::thread::scope(|scope| {
		scope
			.spawn(|| {
				// SAFETY: `setns` on this thread only, with a namespace file kept open.
				let joined = unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) };
				assert_eq!(joined, 0, "setns {ns}: {}", std::io::Error::last_os_error());
				work()
			})
			.join()
			.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
	})
}

/// Hosts on one private bridge, each in a namespace of its own.
pub struct Lan {
	switch: String,
	hosts: Vec<String>,
	subnet: u8,
}

impl Lan {
	/// `count` hosts `10.<subnet>.0.1` … `10.<subnet>.0.<count>`, named after this process so
	/// that parallel tests do not clash.
	pub fn new(count: usize, subnet: u8) -> Self {
		let tag = format!("sonm{}s{subnet}", std::process::id());
		let switch = format!("{tag}-sw");
		let mut lan = Self { switch: switch.clone(), hosts: Vec::new(), subnet };
		ip(&["netns", "add", &switch]);
		ip(&["-n", &switch, "link", "set", "lo", "up"]);
		ip(&["-n", &switch, "link", "add", "br0", "type", "bridge"]);
		ip(&["-n", &switch, "link", "set", "br0", "up"]);
		for i in 1..=count {
			let host = format!("{tag}-h{i}");
			ip(&["netns", "add", &host]);
			lan.hosts.push(host.clone());
			let port = format!("p{i}");
			ip(&[
				"-n", &switch, "link", "add", &port, "type", "veth", "peer", "name", "eth0",
				"netns", &host,
			]);
			ip(&["-n", &switch, "link", "set", &port, "master", "br0", "up"]);
			ip(&["-n", &host, "addr", "add", &format!("{}/24", lan.address(i - 1)), "dev", "eth0"]);
			ip(&["-n", &host, "link", "set", "eth0", "up"]);
			ip(&["-n", &host, "link", "set", "lo", "up"]);
		}
		lan
	}

	/// The IPv4 address of host `index` (from 0).
	pub fn address(&self, index: usize) -> String {
		format!("10.{}.0.{}", self.subnet, index + 1)
	}

	/// A command that runs `program` inside host `index`'s namespace.
	pub fn command(&self, index: usize, program: &str) -> Command {
		let mut command = Command::new("ip");
		command.args(["netns", "exec", &self.hosts[index], program]);
		command
	}

	/// Runs `program args` inside host `index`'s namespace and waits for it.
	pub fn run(&self, index: usize, program: &str, args: &[&str]) -> Output {
		self.command(index, program).args(args).output().expect("ip netns exec runs")
	}

	/// Drops every packet between the hosts of `side` and all the others (both directions),
	/// with iptables rules inside `side`'s namespaces.
	pub fn partition(&self, side: &[usize]) {
		for &inside in side {
			for other in (0..self.hosts.len()).filter(|o| !side.contains(o)) {
				let address = self.address(other);
				for rule in [["-A", "INPUT", "-s"], ["-A", "OUTPUT", "-d"]] {
					let out = self.run(
						inside,
						"iptables",
						&[rule[0], rule[1], rule[2], &address, "-j", "DROP"],
					);
					assert!(
						out.status.success(),
						"iptables: {}",
						String::from_utf8_lossy(&out.stderr)
					);
				}
			}
		}
	}

	/// Removes every rule [`Lan::partition`] added.
	pub fn heal(&self) {
		for index in 0..self.hosts.len() {
			let out = self.run(index, "iptables", &["-F"]);
			assert!(out.status.success(), "iptables -F: {}", String::from_utf8_lossy(&out.stderr));
		}
	}

	/// An HTTP JSON-RPC call to `127.0.0.1:port` inside host `index`'s namespace; the answer's
	/// JSON text, or `None` when nothing answered.
	pub fn json_rpc(&self, index: usize, port: u16, method: &str, params: &str) -> Option<String> {
		let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{params}}}"#);
		let url = format!("http://127.0.0.1:{port}");
		let out = self.run(
			index,
			"curl",
			&["-s", "-m", "10", "-H", "Content-Type: application/json", "-d", &body, &url],
		);
		(out.status.success() && !out.stdout.is_empty())
			.then(|| String::from_utf8_lossy(&out.stdout).into_owned())
	}
}

impl Drop for Lan {
	fn drop(&mut self) {
		for name in self.hosts.iter().chain([&self.switch]) {
			let _ = Command::new("ip").args(["netns", "del", name]).output();
		}
	}
}

/// A namespace joined to the machine's own (root) namespace by a veth pair: a stand-in for
/// a machine the host can reach — on the supplier's LAN (`192.168.<n>.2`, the link's other
/// end) or anywhere else (addresses routed to it from the host with [`Neighbour::route`]).
/// Nothing leaves the machine. The namespace, its link and its routes go when it is dropped.
pub struct Neighbour {
	name: String,
	link: String,
	routes: Vec<String>,
	/// `192.168.<n>.0/30`, claimed so that tests running at once take different ones.
	subnet: crate::claim::Claim,
}

impl Neighbour {
	/// A neighbour on a fresh `192.168.<n>.0/30` (the host is `.1`, the neighbour `.2`).
	pub fn new() -> Self {
		let subnet = crate::claim::claim("neighbour-subnet", 200..=250);
		let n = subnet.value;
		let name = format!("sonm-nb{n}");
		// The host's end: not named like a task bridge (`sonmt…`).
		let link = format!("nb{n}-{}", std::process::id() % 10_000);
		let _ = Command::new("ip").args(["netns", "del", &name]).output();
		let _ = Command::new("ip").args(["link", "del", &link]).output();
		ip(&["netns", "add", &name]);
		let neighbour = Self { name: name.clone(), link: link.clone(), routes: Vec::new(), subnet };
		ip(&["link", "add", &link, "type", "veth", "peer", "name", "eth0", "netns", &name]);
		ip(&["addr", "add", &format!("192.168.{n}.1/30"), "dev", &link]);
		ip(&["link", "set", &link, "up"]);
		ip(&["-n", &name, "addr", "add", &format!("192.168.{n}.2/30"), "dev", "eth0"]);
		ip(&["-n", &name, "link", "set", "eth0", "up"]);
		ip(&["-n", &name, "link", "set", "lo", "up"]);
		ip(&["-n", &name, "route", "add", "default", "via", &format!("192.168.{n}.1")]);
		neighbour
	}

	/// Its address on the link: an address of the host's LAN.
	pub fn lan_address(&self) -> String {
		format!("192.168.{}.2", self.subnet.value)
	}

	/// Gives it `address` too, routed to it from the host (a public stand-in such as
	/// `203.0.113.7`, or `169.254.169.254`, where clouds serve instance metadata).
	pub fn route(&mut self, address: &str) {
		ip(&["-n", &self.name, "addr", "add", &format!("{address}/32"), "dev", "eth0"]);
		let route = format!("{address}/32");
		let _ = Command::new("ip").args(["route", "del", &route]).output();
		ip(&["route", "add", &route, "via", &self.lan_address()]);
		self.routes.push(route);
	}

	/// A command that runs `program` inside it.
	pub fn command(&self, program: &str) -> Command {
		let mut command = Command::new("ip");
		command.args(["netns", "exec", &self.name, program]);
		command
	}
}

impl Default for Neighbour {
	fn default() -> Self {
		Self::new()
	}
}

impl Drop for Neighbour {
	fn drop(&mut self) {
		for route in &self.routes {
			let _ = Command::new("ip").args(["route", "del", route]).output();
		}
		let _ = Command::new("ip").args(["link", "del", &self.link]).output();
		let _ = Command::new("ip").args(["netns", "del", &self.name]).output();
	}
}

/// How a NAT router maps its host's connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
	/// Linux's masquerade: one mapping per source address and port; what comes back must come
	/// from the address and port the mapping was made for.
	PortRestrictedCone,
	/// The same mapping, but what comes back may come from any port of an address the host
	/// has sent to (the router remembers the addresses in an nftables set and forwards to its
	/// host what comes from them).
	AddressRestrictedCone,
	/// A fresh random port per connection: a mapping per destination.
	Symmetric,
}

/// A test network: a public switch (`203.0.113.0/24`) that public hosts plug into, and NAT
/// routers (WAN `203.0.113.<1 + index>`), each with one host (`192.168.<index>.2`) on a
/// private link behind it. Namespaces are named after this process and a counter, so tests
/// running at once do not clash. When dropped, the processes it was given are killed, their
/// logs printed if the test failed, and every namespace deleted.
pub struct NatNetwork {
	tag: String,
	/// Where the processes' logs go ([`NatNetwork::log`]).
	pub logs: std::path::PathBuf,
	namespaces: Vec<String>,
	/// Processes to kill, by namespace.
	processes: Vec<(String, std::process::Child)>,
	ports: usize,
}

impl NatNetwork {
	/// The public switch alone.
	pub fn new() -> Self {
		static NETWORKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
		let count = NETWORKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		let tag = format!("sn{}n{count}", std::process::id() % 100_000);
		let logs = std::env::temp_dir().join(format!("{tag}-logs"));
		let _ = std::fs::remove_dir_all(&logs);
		std::fs::create_dir_all(&logs).expect("a log directory");
		let mut network =
			Self { tag, logs, namespaces: Vec::new(), processes: Vec::new(), ports: 0 };
		let switch = network.namespace("pub");
		ip(&["-n", &switch, "link", "add", "br0", "type", "bridge"]);
		ip(&["-n", &switch, "link", "set", "br0", "up"]);
		network
	}

	/// The full name of namespace `short`.
	pub fn name(&self, short: &str) -> String {
		format!("{}-{short}", self.tag)
	}

	/// A fresh namespace `short` with its loopback up; its full name.
	pub fn namespace(&mut self, short: &str) -> String {
		let name = self.name(short);
		let _ = Command::new("ip").args(["netns", "del", &name]).output();
		ip(&["netns", "add", &name]);
		ip(&["-n", &name, "link", "set", "lo", "up"]);
		self.namespaces.push(name.clone());
		name
	}

	/// Plugs `interface` of namespace `ns` into the public switch with `address`/24.
	fn plug(&mut self, ns: &str, interface: &str, address: &str) {
		self.ports += 1;
		let port = format!("p{}", self.ports);
		let switch = self.name("pub");
		ip(&[
			"-n", &switch, "link", "add", &port, "type", "veth", "peer", "name", interface,
			"netns", ns,
		]);
		ip(&["-n", &switch, "link", "set", &port, "master", "br0", "up"]);
		ip(&["-n", ns, "addr", "add", &format!("{address}/24"), "dev", interface]);
		ip(&["-n", ns, "link", "set", interface, "up"]);
	}

	/// A host `short` on the public switch at `address`; its namespace.
	pub fn public_host(&mut self, short: &str, address: &str) -> String {
		let ns = self.namespace(short);
		self.plug(&ns, "eth0", address);
		ns
	}

	/// Router `index` (WAN `203.0.113.<1 + index>`) of kind `nat` with a host
	/// (`192.168.<index>.2`) behind it; the host's namespace. Like a home router it drops what
	/// comes to its WAN unasked: otherwise Linux keeps a connection-tracking entry for a punch
	/// packet that arrives before its host's own went out, and masquerade then gives the
	/// host's packet another port, so no punch through two NATs would ever meet.
	pub fn behind_nat(&mut self, index: u8, nat: Nat) -> String {
		let router = self.namespace(&format!("r{index}"));
		let host = self.namespace(&format!("h{index}"));
		self.plug(&router, "wan", &format!("203.0.113.{}", 1 + index));
		ip(&[
			"-n", &router, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns",
			&host,
		]);
		ip(&["-n", &router, "addr", "add", &format!("192.168.{index}.1/24"), "dev", "lan"]);
		ip(&["-n", &router, "link", "set", "lan", "up"]);
		ip(&["-n", &host, "addr", "add", &format!("192.168.{index}.2/24"), "dev", "eth0"]);
		ip(&["-n", &host, "link", "set", "eth0", "up"]);
		ip(&["-n", &host, "route", "add", "default", "via", &format!("192.168.{index}.1")]);
		run_in(&router, "sysctl", &["-qw", "net.ipv4.ip_forward=1"]);
		let masquerade = match nat {
			Nat::PortRestrictedCone | Nat::AddressRestrictedCone => "masquerade",
			Nat::Symmetric => "masquerade fully-random",
		};
		// An address-restricted cone: every packet out (after masquerade) notes its
		// destination address, protocol and mapped port; a new flow in from a noted address
		// to a noted port goes to the host.
		let address_restricted = if nat == Nat::AddressRestrictedCone {
			format!(
				"\tset contacted {{ type ipv4_addr . inet_proto . inet_service; flags dynamic, timeout; timeout 2m; }}\n\
				 \tchain noted {{ type filter hook postrouting priority 300; oifname \"wan\" meta l4proto {{ tcp, udp }} update @contacted {{ ip daddr . meta l4proto . th sport }}; }}\n\
				 \tchain back {{ type nat hook prerouting priority -100; iifname \"wan\" meta l4proto {{ tcp, udp }} ip saddr . meta l4proto . th dport @contacted dnat to 192.168.{index}.2; }}\n"
			)
		} else {
			String::new()
		};
		let rules = self.logs.join(format!("{router}.nft"));
		std::fs::write(
			&rules,
			format!(
				"table ip nat {{\n\tchain post {{\n\t\ttype nat hook postrouting priority 100;\n\t\toifname \"wan\" {masquerade}\n\t}}\n{address_restricted}}}\n\
				 table ip filter {{\n\tchain input {{\n\t\ttype filter hook input priority 0;\n\t\tiifname \"wan\" ct state new drop\n\t}}\n}}\n"
			),
		)
		.unwrap();
		run_in(&router, "nft", &["-f", &rules.display().to_string()]);
		host
	}

	/// A file in the logs directory, printed when the test fails.
	pub fn log(&self, name: &str) -> std::fs::File {
		std::fs::File::create(self.logs.join(name)).expect("a log file")
	}

	/// Takes `child`, a process in namespace `ns`, to kill with [`NatNetwork::kill`] or when
	/// the network is dropped.
	pub fn adopt(&mut self, ns: &str, child: std::process::Child) {
		self.processes.push((ns.to_owned(), child));
	}

	/// Kills the processes adopted in namespace `ns` (as a machine dies: no goodbye on the
	/// wire).
	pub fn kill(&mut self, ns: &str) {
		for (_, child) in self.processes.iter_mut().filter(|(owner, _)| owner == ns) {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

impl Default for NatNetwork {
	fn default() -> Self {
		Self::new()
	}
}

impl Drop for NatNetwork {
	fn drop(&mut self) {
		if std::thread::panicking() {
			for entry in std::fs::read_dir(&self.logs).into_iter().flatten().flatten() {
				let log = std::fs::read_to_string(entry.path()).unwrap_or_default();
				let lines: Vec<&str> = log.lines().collect();
				eprintln!(
					"--- {} ---\n{}",
					entry.path().display(),
					lines[lines.len().saturating_sub(30)..].join("\n")
				);
			}
		}
		for (_, child) in &mut self.processes {
			let _ = child.kill();
			let _ = child.wait();
		}
		for ns in self.namespaces.iter().rev() {
			let _ = Command::new("ip").args(["netns", "del", ns]).output();
		}
		let _ = std::fs::remove_dir_all(&self.logs);
	}
}
