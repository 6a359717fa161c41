//! `openai-mock [--port N] [--threads N] [--quiet] [--exit-on-stdin-eof] [--tls CA_PEM_FILE]
//! [--tls-max-streams N]`
//!
//! Prints `OPENAI_MOCK_URL=http://127.0.0.1:<port>` once started, then serves until killed, or
//! until its standard input ends when given --exit-on-stdin-eof (so that it dies with the script
//! that started it). With `--tls FILE` it also serves HTTPS (HTTP/2 or HTTP/1.1 by ALPN, relayed
//! to the plain port), writes the certificate authority to trust to FILE, and prints
//! `OPENAI_MOCK_TLS_URL=https://127.0.0.1:<port>` on the line after. `--tls-max-streams N`: the
//! HTTP/2 streams one connection may have open at once (default 200). `--tls-backend PORT`
//! (with `--tls`): only the front, relaying to a mock already listening on PORT, so that the
//! relayed connections count against this process's descriptors, not the mock's (10,000
//! streams through the front take 20,000 descriptors in one process otherwise); it prints
//! only the `OPENAI_MOCK_TLS_URL` line.

use std::io::{Read, Write};

use openai_mock::tls::TlsOptions;
use openai_mock::{MockServer, Options};

const USAGE: &str =
    "usage: openai-mock [--port N] [--threads N] [--quiet] [--exit-on-stdin-eof] [--tls CA_PEM_FILE] [--tls-max-streams N] [--tls-backend PORT]";

fn main() {
    let mut options = Options::default();
    let mut quiet = false;
    let mut exit_on_eof = false;
    let mut tls_ca: Option<String> = None;
    let mut tls_options = TlsOptions::default();
    let mut backend: Option<u16> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> usize {
            match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => n,
                None => fail(&format!("{name} needs a number")),
            }
        };
        match arg.as_str() {
            "--port" => {
                options.port =
                    u16::try_from(number("--port")).unwrap_or_else(|_| fail("--port is too large"))
            }
            "--threads" => options.threads = number("--threads"),
            "--quiet" => quiet = true,
            "--exit-on-stdin-eof" => exit_on_eof = true,
            "--tls" => tls_ca = Some(args.next().unwrap_or_else(|| fail("--tls needs a file for the CA"))),
            "--tls-max-streams" => {
                let max = u32::try_from(number("--tls-max-streams")).unwrap_or_else(|_| fail("--tls-max-streams is too large"));
                tls_options.max_concurrent_streams = Some(max);
            }
            "--tls-backend" => {
                backend = Some(u16::try_from(number("--tls-backend")).unwrap_or_else(|_| fail("--tls-backend is too large")))
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => fail(&format!("unknown argument {other}")),
        }
    }
    if let Some(port) = backend {
        let file = tls_ca.unwrap_or_else(|| fail("--tls-backend needs --tls"));
        return front_only(port, &file, tls_options, exit_on_eof);
    }
    let server = match MockServer::with_options(options) {
        Ok(s) => s,
        Err(e) => fail(&format!("cannot start: {e}")),
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "OPENAI_MOCK_URL={}", server.url());
    // Kept until the end: the front serves as long as the process runs.
    let _front = tls_ca.map(|file| {
        let front = server.tls_front_with(tls_options);
        if let Err(e) = std::fs::write(&file, &front.ca_pem) {
            fail(&format!("cannot write the CA to {file}: {e}"));
        }
        let _ = writeln!(stdout, "OPENAI_MOCK_TLS_URL={}", front.url());
        front
    });
    let _ = stdout.flush();
    if !quiet {
        eprintln!(
            "openai-mock: serving on {} (control endpoints under /__mock/)",
            server.url()
        );
    }
    if exit_on_eof {
        let mut sink = [0u8; 4096];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        drop(server);
        return;
    }
    loop {
        std::thread::park();
    }
}

/// `--tls-backend`: a TLS front for the mock on `port`, in this process.
fn front_only(port: u16, ca_file: &str, options: TlsOptions, exit_on_eof: bool) {
    let backend = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
    let front = openai_mock::tls::start_with(backend, options).unwrap_or_else(|e| fail(&format!("cannot start the TLS front: {e}")));
    if let Err(e) = std::fs::write(ca_file, &front.ca_pem) {
        fail(&format!("cannot write the CA to {ca_file}: {e}"));
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "OPENAI_MOCK_TLS_URL={}", front.url());
    let _ = stdout.flush();
    if exit_on_eof {
        let mut sink = [0u8; 4096];
        while matches!(std::io::stdin().read(&mut sink), Ok(n) if n > 0) {}
        return;
    }
    loop {
        std::thread::park();
    }
}

fn fail(message: &str) -> ! {
    eprintln!("openai-mock: {message}\n{USAGE}");
    std::process::exit(2);
}
