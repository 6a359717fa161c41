//! A minimal forward HTTP proxy for the proxy tests: it takes absolute-form requests
//! (`GET http://host:port/path HTTP/1.1`), rewrites the request line to origin form and relays
//! the connection to the target, or opens a tunnel for `CONNECT host:port` (TLS through the
//! proxy); it remembers each request line it saw.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || relay(client, log));
            }
        });
        Proxy { port, seen }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn relay(mut client: TcpStream, log: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let (line, rest) = head.split_once("\r\n").unwrap();
    log.lock().unwrap().push(line.to_string());
    let mut words = line.split(' ');
    let (method, target, version) = (words.next().unwrap(), words.next().unwrap(), words.next().unwrap());
    if method == "CONNECT" {
        let Ok(server) = TcpStream::connect(target) else { return };
        if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").is_err() {
            return;
        }
        return pipe(client, server);
    }
    let Some(without_scheme) = target.strip_prefix("http://") else { return };
    let (authority, path) = without_scheme.split_at(without_scheme.find('/').unwrap_or(without_scheme.len()));
    let Ok(mut server) = TcpStream::connect(authority) else { return };
    let path = if path.is_empty() { "/" } else { path };
    if server.write_all(format!("{method} {path} {version}\r\n{rest}").as_bytes()).is_err() {
        return;
    }
    pipe(client, server);
}

/// Relays bytes both ways until either side closes.
fn pipe(mut client: TcpStream, mut server: TcpStream) {
    let (mut client_read, mut server_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let upstream = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut server_write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Both);
    let _ = upstream.join();
}
