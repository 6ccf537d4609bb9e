import Glibc

/// Reads what Linux says about a process under /proc: CPU time and RSS.
enum ProcStats {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The whole file as text, or nil when it cannot be read (the process is gone).
    static func readText(_ path: String, limit: Int = 1 << 20) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while bytes.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// utime + stime of `pid` in microseconds (fields 14 and 15 of /proc/PID/stat).
    static func cpuMicroseconds(pid: Int32) -> Double? {
        guard let text = readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may hold spaces: state is field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond * 1e6
    }

    /// VmRSS of `pid` in bytes, from /proc/PID/status.
    static func residentBytes(pid: Int32) -> Int? {
        guard let text = readText("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.dropFirst(6).filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }

    /// The soft limit on open files of `pid`, from /proc/PID/limits.
    static func openFileLimit(pid: Int32) -> Int? {
        guard let text = readText("/proc/\(pid)/limits") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Max open files") {
            let words = line.split(separator: " ")
            return words.count > 3 ? Int(words[3]) : nil
        }
        return nil
    }

    static func isAlive(pid: Int32) -> Bool { kill(pid, 0) == 0 }

    /// CPU time this process has used, in microseconds.
    static func ownCPUMicroseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec)
        let system = Double(usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_stime.tv_usec)
        return user + system
    }

    /// Raises this process's soft limit on open files to its hard limit
    /// (capped at `wanted`), so 1,000 connections fit; children inherit it.
    @discardableResult
    static func raiseOpenFileLimit(to wanted: Int = 65_536) -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let target = min(rlim_t(wanted), limit.rlim_max)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }
}

/// Broker and tool CPU at one instant, to turn into per-message costs.
struct CPUSample {
    var wallNanos: UInt64
    var brokerMicros: Double?
    var toolMicros: Double

    static func take(brokerPID: Int32?) -> CPUSample {
        CPUSample(
            wallNanos: monotonicNanos(),
            brokerMicros: brokerPID.flatMap { ProcStats.cpuMicroseconds(pid: $0) },
            toolMicros: ProcStats.ownCPUMicroseconds())
    }
}
