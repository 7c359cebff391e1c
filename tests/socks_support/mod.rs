//! A real SOCKS5 server (fast-socks5's, in process) for the tests: it maps
//! host names to addresses, as Tor maps onion names to services, and
//! remembers every target it was asked for, exactly as it arrived.

#![allow(dead_code)] // each test file uses a different part of this.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use fast_socks5::server::Socks5ServerProtocol;
use fast_socks5::util::target_addr::TargetAddr;
use fast_socks5::{ReplyError, Socks5Command};
use satchel::lnd::SocksProxy;
use tokio::net::{TcpListener, TcpStream};

/// The onion name the proxy maps to the simulator.
pub const ONION: &str = "satchelsimnodexxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion";

/// A SOCKS5 proxy on 127.0.0.1 that maps host names to addresses (as Tor
/// maps onion names to services) and remembers every target it was asked
/// for, exactly as it arrived.
pub struct Proxy {
    pub address: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub async fn start(names: HashMap<String, SocketAddr>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (names, log) = (Arc::new(names), asked.clone());
        let _server = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (names, log) = (names.clone(), log.clone());
                let _one = tokio::spawn(async move {
                    let _ = serve(client, &names, &log).await;
                });
            }
        });
        Self { address, asked }
    }

    pub fn socks(&self) -> SocksProxy {
        self.address.to_string().parse().unwrap()
    }

    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

/// One SOCKS5 client: CONNECT to the mapped address (or the IP given), or
/// the SOCKS reply a real proxy gives when that fails.
async fn serve(
    client: TcpStream,
    names: &HashMap<String, SocketAddr>,
    asked: &Mutex<Vec<String>>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (command, cmd, target) = Socks5ServerProtocol::accept_no_auth(client)
        .await?
        .read_command()
        .await?;
    if cmd != Socks5Command::TCPConnect {
        command
            .reply_error(&ReplyError::CommandNotSupported)
            .await?;
        return Ok(());
    }
    let upstream = match &target {
        TargetAddr::Domain(name, port) => {
            asked.lock().unwrap().push(format!("name {name}:{port}"));
            names.get(name).copied()
        }
        TargetAddr::Ip(address) => {
            asked.lock().unwrap().push(format!("ip {address}"));
            Some(*address)
        }
    };
    let Some(upstream) = upstream else {
        command.reply_error(&ReplyError::HostUnreachable).await?;
        return Ok(());
    };
    match TcpStream::connect(upstream).await {
        Ok(mut node) => {
            let mut client = command.reply_success(node.local_addr()?).await?;
            let _ = tokio::io::copy_bidirectional(&mut client, &mut node).await;
        }
        Err(_) => command.reply_error(&ReplyError::ConnectionRefused).await?,
    }
    Ok(())
}
