// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Warren",
    products: [
        .library(name: "AMQPProtocol", targets: ["AMQPProtocol"]),
        .library(name: "WarrenCore", targets: ["WarrenCore"]),
        .library(name: "WarrenServer", targets: ["WarrenServer"]),
        .executable(name: "warren", targets: ["warren"]),
    ],
    targets: [
        // The wire format: frames, methods (generated), field tables, properties, errors.
        .target(name: "AMQPProtocol"),
        // Turns Protocol/amqp-0-9-1.json into Sources/AMQPProtocol/Generated/Methods.swift.
        .target(name: "AMQPCodegen"),
        .executableTarget(name: "amqp-codegen", dependencies: ["AMQPCodegen"]),
        // The broker model: pure, deterministic, no sockets, time injected.
        .target(name: "WarrenCore", dependencies: ["AMQPProtocol"]),
        // Event loop, listeners, connections and channels.
        .target(name: "WarrenServer", dependencies: ["AMQPProtocol", "WarrenCore"]),
        .executableTarget(name: "warren", dependencies: ["WarrenServer"]),
        // Release-mode encode/decode throughput of the hot frames.
        .executableTarget(name: "CodecBenchmark", dependencies: ["AMQPProtocol"]),

        .testTarget(name: "AMQPProtocolTests", dependencies: ["AMQPProtocol", "AMQPCodegen"]),
        .testTarget(name: "WarrenCoreTests", dependencies: ["WarrenCore"]),
        .testTarget(name: "WarrenServerTests", dependencies: ["WarrenServer", "AMQPProtocol"]),
        .testTarget(name: "InteropTests", dependencies: ["WarrenServer"], exclude: ["python", "setup.sh"]),
    ],
    swiftLanguageModes: [.v6]
)
