// amqp-codegen: turns the method table into Swift.
//
//     swift run amqp-codegen [<table.json> <Methods.swift>]
//
// Defaults, relative to the current directory (run it from the package root):
// Protocol/amqp-0-9-1.json → Sources/AMQPProtocol/Generated/Methods.swift.
// The output file is rewritten only when its content changes.

import AMQPCodegen
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.isEmpty || arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: amqp-codegen [<table.json> <Methods.swift>]\n".utf8))
    exit(64)
}
let tablePath = arguments.first ?? "Protocol/amqp-0-9-1.json"
let outputPath = arguments.last ?? "Sources/AMQPProtocol/Generated/Methods.swift"

do {
    let table = try Data(contentsOf: URL(fileURLWithPath: tablePath))
    let source = try generateMethodsSource(fromJSON: table)
    let output = URL(fileURLWithPath: outputPath)
    if let existing = try? Data(contentsOf: output), existing == Data(source.utf8) {
        print("amqp-codegen: \(outputPath) is up to date")
    } else {
        try FileManager.default.createDirectory(
            at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(source.utf8).write(to: output, options: .atomic)
        print("amqp-codegen: wrote \(outputPath) from \(tablePath)")
    }
} catch {
    FileHandle.standardError.write(Data("amqp-codegen: \(error)\n".utf8))
    exit(1)
}
