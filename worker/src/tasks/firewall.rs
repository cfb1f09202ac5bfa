//! What a task's network may reach. Each deal's task gets a bridge network of its own (see
//! [`super::engine`]) whose interface is named after its kind: `sonmto…` when the deal bought
//! OUTBOUND, `sonmti…` when it bought only INCOMING. One nftables table, `inet sonm_tasks`,
//! holds the rules for every such bridge on the host, whichever worker made it:
//!
//! - no new connection from a task to a private, shared, loopback, link-local (cloud metadata
//!   at 169.254.169.254), multicast or reserved address, nor to a network the host is on (the
//!   supplier's LAN), nor over IPv6: so no task reaches another deal's task, the supplier's
//!   machines or the provider's metadata service;
//! - no new connection from a task to the host itself, except DNS to its bridge's gateway
//!   (the engine's resolver);
//! - an INCOMING-only task opens no connection at all; it only answers;
//! - answers to connections made to a task (its published ports) always pass.
//!
//! The table's chains hook in before the engine's own firewall and reject, so no rule the
//! engine adds can let such a packet through. [`install`] replaces the table in one
//! transaction; it is the same for every worker, so workers sharing a host may each install it.

use std::{io::Write, process::Stdio};

/// The nftables table's name (family `inet`).
pub const TABLE: &str = "sonm_tasks";

/// Interface names of task bridges: every one starts with this.
pub const BRIDGE_PREFIX: &str = "sonmt";
/// Bridges of deals that bought OUTBOUND.
pub const OUTBOUND_PREFIX: &str = "sonmto";
/// Bridges of deals that bought only INCOMING.
pub const INCOMING_ONLY_PREFIX: &str = "sonmti";

/// The IPv4 ranges no task may open a connection to, whatever the host is on: this network
/// ("0/8"), private (RFC 1918), shared (RFC 6598), loopback, link-local (metadata services),
/// IETF protocol assignments, benchmarking, multicast and reserved.
pub const BLOCKED_RANGES: &[&str] = &[
	"0.0.0.0/8",
	"10.0.0.0/8",
	"100.64.0.0/10",
	"127.0.0.0/8",
	"169.254.0.0/16",
	"172.16.0.0/12",
	"192.0.0.0/24",
	"192.168.0.0/16",
	"198.18.0.0/15",
	"224.0.0.0/3",
];

/// Why the rules could not be installed.
#[derive(Debug, thiserror::Error)]
#[error("the task firewall (nftables table inet {TABLE}): {0}")]
pub struct FirewallError(String);

/// The IPv4 networks the host's own interfaces are on (its LAN), from its routing table, task
/// bridges left out.
pub fn host_networks() -> Vec<String> {
	let Ok(table) = std::fs::read_to_string("/proc/net/route") else { return Vec::new() };
	let mut networks: Vec<String> = table
		.lines()
		.skip(1)
		.filter_map(|line| {
			let fields: Vec<&str> = line.split_whitespace().collect();
			let (interface, destination, gateway, mask) =
				(fields.first()?, fields.get(1)?, fields.get(2)?, fields.get(7)?);
			let hex = |text: &str| u32::from_str_radix(text, 16).ok();
			let (destination, gateway, mask) = (hex(destination)?, hex(gateway)?, hex(mask)?);
			// Directly connected (no gateway), not the default route, not a task bridge.
			if gateway != 0 || mask == 0 || interface.starts_with(BRIDGE_PREFIX) {
				return None;
			}
			// /proc/net/route prints the address's bytes as a number in the host's byte order.
			let address = std::net::Ipv4Addr::from(destination.to_ne_bytes());
			Some(format!("{address}/{}", mask.count_ones()))
		})
		.collect();
	networks.sort();
	networks.dedup();
	networks
}

/// The ruleset: the table replaced whole, blocking [`BLOCKED_RANGES`] and `extra` (the host's
/// networks, the operator's own list).
pub fn ruleset(extra: &[String]) -> String {
	let mut ranges: Vec<&str> = BLOCKED_RANGES.to_vec();
	ranges.extend(extra.iter().map(String::as_str));
	let elements = ranges.join(", ");
	format!(
		"table inet {TABLE} {{}}\n\
		 delete table inet {TABLE}\n\
		 table inet {TABLE} {{\n\
		 \tset blocked {{ type ipv4_addr; flags interval; auto-merge; elements = {{ {elements} }} }}\n\
		 \tchain forward {{\n\
		 \t\ttype filter hook forward priority -10; policy accept;\n\
		 \t\tiifname \"{BRIDGE_PREFIX}*\" ct state established,related accept\n\
		 \t\tiifname \"{INCOMING_ONLY_PREFIX}*\" reject with icmpx type admin-prohibited\n\
		 \t\tiifname \"{BRIDGE_PREFIX}*\" meta nfproto ipv6 reject with icmpx type admin-prohibited\n\
		 \t\tiifname \"{BRIDGE_PREFIX}*\" ip daddr @blocked reject with icmpx type admin-prohibited\n\
		 \t}}\n\
		 \tchain input {{\n\
		 \t\ttype filter hook input priority -10; policy accept;\n\
		 \t\tiifname \"{BRIDGE_PREFIX}*\" ct state established,related accept\n\
		 \t\tiifname \"{BRIDGE_PREFIX}*\" meta l4proto {{ tcp, udp }} th dport 53 fib daddr . iif type local accept\n\
		 \t\tiifname \"{BRIDGE_PREFIX}*\" reject with icmpx type admin-prohibited\n\
		 \t}}\n\
		 }}\n"
	)
}

/// Installs (or replaces) the rules, blocking the host's networks and `extra` too.
pub fn install(extra: &[String]) -> Result<(), FirewallError> {
	let mut blocked = host_networks();
	blocked.extend(extra.iter().cloned());
	let rules = ruleset(&blocked);
	let mut nft = std::process::Command::new("nft")
		.args(["-f", "-"])
		.stdin(Stdio::piped())
		.stdout(Stdio::null())
		.stderr(Stdio::piped())
		.spawn()
		.map_err(|e| {
			FirewallError(format!("cannot run nft (install nftables; run as root): {e}"))
		})?;
	nft.stdin
		.take()
		.expect("piped")
		.write_all(rules.as_bytes())
		.map_err(|e| FirewallError(format!("writing to nft: {e}")))?;
	let output = nft.wait_with_output().map_err(|e| FirewallError(e.to_string()))?;
	if !output.status.success() {
		return Err(FirewallError(String::from_utf8_lossy(&output.stderr).trim().to_owned()));
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_ruleset_blocks_every_range_and_names_both_kinds_of_bridge() {
		let rules = ruleset(&["192.0.2.0/24".into()]);
		for range in BLOCKED_RANGES {
			assert!(rules.contains(range), "{range} missing");
		}
		assert!(rules.contains("192.0.2.0/24"));
		assert!(rules.contains(&format!("iifname \"{INCOMING_ONLY_PREFIX}*\" reject")));
		assert!(rules.starts_with(&format!("table inet {TABLE} {{}}\ndelete table inet {TABLE}")));
		assert!(OUTBOUND_PREFIX.starts_with(BRIDGE_PREFIX));
		assert!(INCOMING_ONLY_PREFIX.starts_with(BRIDGE_PREFIX));
	}

	#[test]
	fn the_hosts_networks_are_read_from_its_routing_table() {
		// Every entry is an address and a prefix length; no default route, no task bridge.
		for network in host_networks() {
			let (address, bits) = network.split_once('/').expect("address/bits");
			address.parse::<std::net::Ipv4Addr>().expect("an IPv4 address");
			assert!((1..=32).contains(&bits.parse::<u32>().unwrap()), "{network}");
		}
	}
}
