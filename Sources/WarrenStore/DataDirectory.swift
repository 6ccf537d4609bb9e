import Glibc
import Synchronization

/// The layout of a data directory:
///
///     LOCK                          record-locked while a store has the directory open
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

/// The directory's lock, held for the store's lifetime: one store per data directory,
/// across processes and within one.
///
/// Across processes it is a POSIX record lock (`fcntl(F_SETLK)`, write lock on the whole
/// of `LOCK`). Within the process, a registry of the directories this process has open
/// refuses a second store, because record locks never conflict inside one process.
///
/// Why not flock(2): a flock belongs to the open file description, and every child
/// the process forks shares that description until it execs. A test process (or a
/// broker embedding Warren) that spawns a subprocess on another thread while a store
/// closes and reopens its directory sees the reopen refused: the child still holds
/// the old description, and with it the lock (`randomDamageNeverStopsTheStoreFromOpening`
/// failed this way under parallel test load). Record locks belong to the process and
/// are never inherited, so a spawned child cannot hold one. The kernel drops them when
/// the process dies, so a crashed broker never leaves a stale lock. Their one trap,
/// that closing *any* descriptor of the file drops the lock, cannot spring: the
/// registry keeps this process from opening `LOCK` a second time while it is held.
///
/// The file holds the owner's pid, for people; the lock, not the content, is what counts.
final class DirectoryLock {
    private var fd: Int32
    private let identity: FileIdentity

    private init(fd: Int32, identity: FileIdentity) {
        self.fd = fd
        self.identity = identity
    }

    static func acquire(_ directory: DataDirectory) throws(StoreError) -> DirectoryLock {
        var info = stat()
        guard stat(directory.root, &info) == 0 else { throw .io(call: "stat", path: directory.root, errno: errno) }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        guard LockRegistry.shared.insert(identity) else { throw .directoryLocked(directory.root) }
        let path = directory.lockPath
        let fd: Int32
        do throws(StoreError) {
            fd = try FileIO.openFile(path, flags: O_RDWR | O_CREAT)
        } catch {
            LockRegistry.shared.remove(identity)
            throw error
        }
        var request = Glibc.flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        guard fcntl(fd, F_SETLK, &request) == 0 else {
            let failure = errno
            Glibc.close(fd)
            LockRegistry.shared.remove(identity)
            if failure == EAGAIN || failure == EACCES { throw .directoryLocked(directory.root) }
            throw .io(call: "fcntl(F_SETLK)", path: path, errno: failure)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { FileIO.writeAll(fd, $0, at: 0) }
        return DirectoryLock(fd: fd, identity: identity)
    }

    /// The pid of the process holding `directory`'s lock, if another process holds it.
    /// Never opens `LOCK` while this process holds it (closing that descriptor would
    /// drop the lock), and holds the registry meanwhile so no store of this process can
    /// take the lock between the check and the close.
    static func holder(of directory: DataDirectory) -> Int32? {
        var info = stat()
        guard stat(directory.root, &info) == 0 else { return nil }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        return LockRegistry.shared.withHeld { held -> Int32? in
            guard !held.contains(identity) else { return nil }
            let fd = Glibc.open(directory.lockPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { Glibc.close(fd) }
            var request = Glibc.flock()
            request.l_type = Int16(F_WRLCK)
            request.l_whence = Int16(SEEK_SET)
            guard fcntl(fd, F_GETLK, &request) == 0, request.l_type != Int16(F_UNLCK) else { return nil }
            return request.l_pid
        }
    }

    func release() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
        LockRegistry.shared.remove(identity)
    }

    deinit { release() }
}

/// A directory by device and inode, so two spellings of one path are one directory.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64
}

/// The data directories this process holds locks on. Process-wide by nature: record
/// locks are per process, so this is the one place that can say "already open here".
final class LockRegistry: Sendable {
    static let shared = LockRegistry()
    private let held = Mutex<Set<FileIdentity>>([])

    /// False when the directory is already held in this process.
    func insert(_ identity: FileIdentity) -> Bool {
        held.withLock { $0.insert(identity).inserted }
    }

    func withHeld<Result>(_ body: (Set<FileIdentity>) -> Result) -> Result {
        held.withLock { body($0) }
    }

    func remove(_ identity: FileIdentity) {
        _ = held.withLock { $0.remove(identity) }
    }
}
