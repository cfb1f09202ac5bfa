//! Where a load run may go: a node on this machine's loopback, never anything farther.

use crate::LoadError;

/// The port of `url` when it is a `ws://` URL of a loopback host (`127.0.0.0/8`, `localhost`,
/// `[::1]`) with an explicit port; [`LoadError::NotLoopback`] otherwise.
pub fn loopback_port(url: &str) -> Result<u16, LoadError> {
	let refuse = |why: &str| LoadError::NotLoopback { url: url.to_owned(), why: why.to_owned() };
	let rest = url.strip_prefix("ws://").ok_or_else(|| refuse("only ws:// URLs are loaded"))?;
	let authority = rest.split(['/', '?']).next().unwrap_or_default();
	if authority.contains('@') {
		return Err(refuse("credentials in the URL"));
	}
	let (host, port) = authority.rsplit_once(':').ok_or_else(|| refuse("no port"))?;
	let port: u16 = port.parse().map_err(|_| refuse("the port is not a number"))?;
	let loopback = match host {
		"localhost" | "[::1]" => true,
		host => host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()),
	};
	if loopback {
		Ok(port)
	} else {
		Err(refuse("the host is not loopback (127.0.0.0/8, localhost, [::1])"))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_loopback_nodes_are_loaded() {
		assert_eq!(loopback_port("ws://127.0.0.1:9944").unwrap(), 9944);
		assert_eq!(loopback_port("ws://127.3.2.1:9945/").unwrap(), 9945);
		assert_eq!(loopback_port("ws://localhost:1").unwrap(), 1);
		assert_eq!(loopback_port("ws://[::1]:9944").unwrap(), 9944);
		for url in [
			"ws://10.0.0.1:9944",
			"ws://node.example.org:9944",
			"wss://127.0.0.1:9944",
			"http://127.0.0.1:9944",
			"ws://127.0.0.1",
			"ws://127.0.0.1:99999",
			"ws://user@127.0.0.1:9944",
			"ws://[::2]:9944",
			"ws://0.0.0.0:9944",
		] {
			assert!(matches!(loopback_port(url), Err(LoadError::NotLoopback { .. })), "{url}");
		}
	}
}
