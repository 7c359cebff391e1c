//! Compiles our LND proto subset with protox (pure Rust), so no system
//! `protoc` is needed. Both client and server stubs are generated: the
//! client is the LND adapter, the server is the simulator.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let files = [
        "proto/lightning.proto",
        "proto/routerrpc/router.proto",
        "proto/signrpc/signer.proto",
    ];
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
