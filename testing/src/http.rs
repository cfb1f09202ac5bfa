//! A tiny HTTP server for the tests that need an outside web service (a price source).

use std::{
	io::{Read, Write},
	net::TcpListener,
};

/// Serves `body` as JSON to every request on a free loopback port, in a background thread
/// that lives as long as the test process; returns the port.
pub fn price_server(body: &'static str) -> u16 {
	let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
	let port = listener.local_addr().expect("bound").port();
	std::thread::spawn(move || {
		for mut stream in listener.incoming().flatten() {
			let mut request = [0u8; 4096];
			let _ = stream.read(&mut request);
			let response = format!(
				"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
				 Connection: close\r\n\r\n{body}",
				body.len()
			);
			let _ = stream.write_all(response.as_bytes());
		}
	});
	port
}
