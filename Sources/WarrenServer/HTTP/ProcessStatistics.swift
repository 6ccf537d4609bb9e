import Foundation
import Glibc

/// What the process uses, read from /proc on demand (only when a client asks
/// for `/api/nodes`, `/api/overview` or `/metrics`).
enum ProcessStatistics {
    /// Resident set size in bytes: the second field of /proc/self/statm, in pages.
    static var residentMemoryBytes: Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        return pages.multipliedReportingOverflow(by: max(pageSize, 1)).partialValue
    }

    /// Descriptors open now: the entries of /proc/self/fd.
    static var openFileDescriptors: Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return 0 }
        return entries.count
    }

    /// The soft limit on descriptors (RLIMIT_NOFILE).
    static var fileDescriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_cur)
    }

    static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    static var processID: Int { Int(getpid()) }

    /// `warren@hostname`, the node name RabbitMQ-shaped clients expect.
    static let nodeName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "warren@localhost" }
        return "warren@" + String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

/// RLIMIT_NOFILE, whose Glibc import is an enum case on Linux.
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
