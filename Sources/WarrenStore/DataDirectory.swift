import Glibc

/// The layout of a data directory:
///
///     LOCK                          flock'd while a store has the directory open
///     definitions.log               durable exchanges, queues, bindings
///     segments/<first id, hex>.seg  message records
///     index/<generation, hex>.idx   the index journal (one live generation)
///
/// Names are fixed-width lowercase hex so that sorting by name sorts by number.
struct DataDirectory {
    let root: String

    var lockPath: String { root + "/LOCK" }
    var definitionsPath: String { root + "/definitions.log" }
    var definitionsTemporaryPath: String { root + "/definitions.log.tmp" }
    var segmentsPath: String { root + "/segments" }
    var indexPath: String { root + "/index" }

    func segmentPath(firstID: UInt64) -> String { segmentsPath + "/" + Self.hexName(firstID) + ".seg" }
    func journalPath(generation: UInt64) -> String { indexPath + "/" + Self.hexName(generation) + ".idx" }

    static func hexName(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    /// The number in a name like `000000000000002a.seg`, or nil for any other name.
    static func number(in name: String, suffix: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let digits = name.dropLast(suffix.count)
        guard digits.count == 16 else { return nil }
        return UInt64(digits, radix: 16)
    }
}

/// The directory's lock: an exclusive, non-blocking flock(2) on `LOCK`, held for the
/// store's lifetime. flock locks belong to the open file description, so a second
/// store in the same process is refused just like one in another process, and the
/// kernel releases the lock if the process dies. The file holds the owner's pid, for
/// people; the lock, not the content, is what counts.
final class DirectoryLock {
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    static func acquire(_ directory: DataDirectory) throws(StoreError) -> DirectoryLock {
        let path = directory.lockPath
        let fd = try FileIO.openFile(path, flags: O_RDWR | O_CREAT)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            Glibc.close(fd)
            if failure == EWOULDBLOCK { throw .directoryLocked(directory.root) }
            throw .io(call: "flock", path: path, errno: failure)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { FileIO.writeAll(fd, $0, at: 0) }
        return DirectoryLock(fd: fd)
    }

    func release() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit { release() }
}
