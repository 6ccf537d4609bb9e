import Foundation
import Glibc
import Testing
@testable import WarrenStore

/// A fresh directory under /tmp, removed when the test's scope ends.
final class TemporaryDirectory {
    let path: String

    init(_ label: String = "store") {
        var template = Array("/tmp/warren-\(label)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        path = created ?? "/tmp/warren-\(label)-\(UUID().uuidString)"
        if created == nil { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func files(in subdirectory: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path + "/" + subdirectory)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { path + "/" + subdirectory + "/" + $0 }
    }

    var segmentFiles: [String] { files(in: "segments", suffix: ".seg") }
    var journalFiles: [String] { files(in: "index", suffix: ".idx") }
}

func message(_ id: UInt64, _ text: String = "", exchange: String = "amq.direct", routingKey: String = "key",
             properties: [UInt8] = [0x10, 0x00, 2]) -> StoredMessage {
    StoredMessage(id: id, exchange: exchange, routingKey: routingKey, properties: properties,
                  body: Array((text.isEmpty ? "body-\(id)" : text).utf8))
}

func bodyText(_ recovered: RecoveredMessage) -> String {
    String(decoding: recovered.message.body, as: UTF8.self)
}

func openStore(_ directory: TemporaryDirectory, options: StoreOptions = StoreOptions()) throws -> (MessageStore, RecoveredState) {
    try MessageStore.open(directory: directory.path, options: options)
}

/// Closes and reopens, returning the new store and what it recovered.
func reopen(_ store: MessageStore, _ directory: TemporaryDirectory,
            options: StoreOptions = StoreOptions()) throws -> (MessageStore, RecoveredState) {
    let result = store.close()
    #expect(result.failed.isEmpty)
    return try openStore(directory, options: options)
}

func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : -1
}

func readFile(_ path: String) -> [UInt8] {
    (try? FileIO.readAll(path)) ?? []
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Offsets of every occurrence of `needle` in `haystack`.
func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
    guard !needle.isEmpty, haystack.count >= needle.count else { return [] }
    return (0...(haystack.count - needle.count)).filter { start in
        haystack[start..<(start + needle.count)].elementsEqual(needle)
    }
}
