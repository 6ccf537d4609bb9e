// swift-tools-version:6.0
import PackageDescription

/// The small programs users run first; each uses only WarrenClient.
let examples = [
    "hello-producer", "hello-consumer", "goodbye-consumer",
    "pubsub-publisher", "pubsub-subscriber",
    "task-publisher", "worker",
    "log-publisher", "log-consumer",
    "file-producer", "file-consumer",
    "rpc-server", "rpc-client",
]

let package = Package(
    name: "Warren",
    products: [
        .library(name: "AMQPProtocol", targets: ["AMQPProtocol"]),
        .library(name: "WarrenCore", targets: ["WarrenCore"]),
        .library(name: "WarrenServer", targets: ["WarrenServer"]),
        .library(name: "WarrenClient", targets: ["WarrenClient"]),
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
        // Threads and semaphores over pthreads: the libraries below link no Foundation.
        .target(name: "WarrenSystem"),
        // Persistence: segment log, definitions log, recovery, group commit.
        .target(name: "WarrenStore", dependencies: ["WarrenSystem"]),
        // Event loop, listeners, connections and channels.
        .target(name: "WarrenServer", dependencies: ["AMQPProtocol", "WarrenCore", "WarrenStore", "WarrenSystem"]),
        // The Swift client library: async/await over AMQPProtocol.
        .target(name: "WarrenClient", dependencies: ["AMQPProtocol", "WarrenSystem"]),
        // The release binary carries its own Swift runtime: idle memory is the pages it touches,
        // not whole shared libraries (docs/benchmarks.md, "Idle memory").
        .executableTarget(name: "warren", dependencies: ["WarrenServer", "WarrenClient"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]),
        // Load generator for any AMQP 0-9-1 broker.
        .executableTarget(name: "warren-bench", dependencies: ["AMQPProtocol", "WarrenStore"]),
        // Release-mode encode/decode throughput of the hot frames.
        .executableTarget(name: "CodecBenchmark", dependencies: ["AMQPProtocol"]),

        .target(name: "ExampleSupport", dependencies: ["WarrenClient"], path: "Examples/ExampleSupport"),

        .testTarget(name: "AMQPProtocolTests", dependencies: ["AMQPProtocol", "AMQPCodegen"]),
        .testTarget(name: "WarrenCoreTests", dependencies: ["WarrenCore"]),
        .testTarget(name: "WarrenStoreTests", dependencies: ["WarrenStore"]),
        .testTarget(name: "DurabilityTests", dependencies: ["WarrenServer", "WarrenStore"]),
        .testTarget(name: "WarrenServerTests", dependencies: ["WarrenServer", "AMQPProtocol"]),
        .testTarget(name: "WarrenClientTests", dependencies: ["WarrenClient", "WarrenServer"]),
        .testTarget(name: "ExamplesTests", dependencies: ["WarrenServer"]),
        .testTarget(name: "InteropTests", dependencies: ["WarrenServer"], exclude: ["python", "setup.sh"]),
    ] + examples.map { name in
        .executableTarget(name: name, dependencies: ["WarrenClient", "ExampleSupport"], path: "Examples/\(name)")
    },
    swiftLanguageModes: [.v6]
)
