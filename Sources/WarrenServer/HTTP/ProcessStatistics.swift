import Glibc

/// What the process uses, read from /proc on demand (only when a client asks
/// for `/api/nodes`, `/api/overview` or `/metrics`).
enum ProcessStatistics {
    /// Resident set size in bytes: the second field of /proc/self/statm, in pages.
    static var residentMemoryBytes: Int {
        let fields = readSmallFile("/proc/self/statm").split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        return pages.multipliedReportingOverflow(by: max(pageSize, 1)).partialValue
    }

    /// Descriptors open now: the entries of /proc/self/fd.
    static var openFileDescriptors: Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return count
    }

    /// The soft limit on descriptors (RLIMIT_NOFILE).
    static var fileDescriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_cur)
    }

    static var processorCount: Int { max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1) }

    static var processID: Int { Int(getpid()) }

    /// `warren@hostname`, the node name RabbitMQ-shaped clients expect.
    static let nodeName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "warren@localhost" }
        return "warren@" + String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

/// The first 4 KiB of a file (enough for anything under /proc/self we read), empty on error.
private func readSmallFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    return count > 0 ? Array(buffer[..<count]) : []
}

/// RLIMIT_NOFILE, whose Glibc import is an enum case on Linux.
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
