import Glibc

/// A test hook that makes chosen file operations fail with a chosen errno, so disk-full
/// and I/O-error paths can be exercised without a full disk. Production code leaves
/// `StoreOptions.faultInjector` nil. The closure runs on the loop (writes) and on the
/// syncer thread (syncs), hence `@Sendable`.
public struct FaultInjector: Sendable {
    public enum Operation: Sendable, Equatable {
        /// pwrite(2) of buffered records to a log file.
        case write
        /// fdatasync(2) of a log file.
        case sync
    }

    let failure: @Sendable (Operation, String) -> Int32?

    /// `failure` receives the operation and the file's path, and returns an errno to
    /// fail it with, or nil to let it run.
    public init(_ failure: @escaping @Sendable (Operation, String) -> Int32?) {
        self.failure = failure
    }
}

/// Thin POSIX helpers used by the store. Each returns or throws a `StoreError` naming
/// the call and path, and retries EINTR.
enum FileIO {
    static func openFile(_ path: String, flags: Int32) throws(StoreError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, 0o644)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .io(call: "open", path: path, errno: errno) }
        }
    }

    /// Writes all of `bytes` at `offset`. Returns 0 or the errno of the failure.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int32 {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { return 0 }
            let written = pwrite(fd, base + done, bytes.count - done, off_t(offset + done))
            if written > 0 {
                done += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return written == 0 ? EIO : errno
            }
        }
        return 0
    }

    /// The whole file, read with one allocation. Log files are read once, at recovery.
    static func readAll(_ path: String) throws(StoreError) -> [UInt8] {
        let fd = try openFile(path, flags: O_RDONLY)
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(call: "fstat", path: path, errno: errno) }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        var count = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while count < size, let base = buffer.baseAddress {
                let got = pread(fd, base + count, size - count, off_t(count))
                if got > 0 {
                    count += got
                } else if got < 0 && errno == EINTR {
                    continue
                } else {
                    if got < 0 { failure = errno }
                    break
                }
            }
            initialized = count
        }
        if failure != 0 { throw .io(call: "read", path: path, errno: failure) }
        return bytes
    }

    /// Reads `count` bytes at `offset`, or fewer at end of file.
    static func read(_ fd: Int32, count: Int, at offset: Int, path: String) throws(StoreError) -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count, let base = buffer.baseAddress {
                let got = pread(fd, base + done, count - done, off_t(offset + done))
                if got > 0 {
                    done += got
                } else if got < 0 && errno == EINTR {
                    continue
                } else {
                    if got < 0 { failure = errno }
                    break
                }
            }
            initialized = done
        }
        if failure != 0 { throw .io(call: "pread", path: path, errno: failure) }
        return bytes
    }

    static func syncData(_ fd: Int32) -> Int32 {
        while fdatasync(fd) != 0 {
            if errno != EINTR { return errno }
        }
        return 0
    }

    /// fsync of a directory, so that files created, renamed or removed in it stay so
    /// after a crash. Returns 0 or the errno.
    static func syncDirectory(_ path: String) -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { Glibc.close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { return errno }
        }
        return 0
    }

    static func truncate(_ path: String, to size: Int) throws(StoreError) {
        guard Glibc.truncate(path, off_t(size)) == 0 else { throw .io(call: "truncate", path: path, errno: errno) }
    }

    static func rename(_ from: String, _ to: String) throws(StoreError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(call: "rename", path: from, errno: errno) }
    }

    /// Removes a file; a file already gone is not an error.
    static func remove(_ path: String) throws(StoreError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(call: "unlink", path: path, errno: errno) }
    }

    /// mkdir -p: creates `path` and any missing parents.
    static func makeDirectory(_ path: String) throws(StoreError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .io(call: "mkdir", path: prefix, errno: errno)
            }
            prefix += "/"
        }
    }

    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func listDirectory(_ path: String) throws(StoreError) -> [String] {
        guard let directory = opendir(path) else { throw .io(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
