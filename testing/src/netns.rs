//! Network namespaces for tests: [`Lan`], for tests that cut links between processes (a switch
//! namespace holding a bridge, and hosts that each have one veth into it, on a private subnet),
//! and [`Neighbour`], a machine the host reaches over a veth of its own (what a task may or may
//! not reach). Nothing is attached to the machine's own outside interfaces and nothing is
//! routed out. Every namespace is deleted when dropped (its processes must be stopped first).

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
