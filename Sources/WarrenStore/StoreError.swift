import Glibc

/// Everything the store reports as failure. None of these is fatal to the process: after
/// a write error the store stays open for reads and later appends, and a failed sync is
/// reported per ticket through `SyncResult` rather than thrown.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another store (in this process or another) holds the directory's lock file. The
    /// directory was not touched.
    case directoryLocked(String)
    /// A system call failed while opening, recovering or maintaining the store.
    case io(call: String, path: String, errno: Int32)
    /// Appending failed (write(2) returned ENOSPC, EIO, ...). Nothing of the failing
    /// call was stored; records buffered before it are reported failed in `SyncResult`.
    case writeFailed(path: String, errno: Int32)
    /// A file carries a format version this build does not know (written by a newer Warren).
    case unsupportedFormat(path: String, version: UInt16)
    /// Message ids must increase strictly from one append to the next and stay below 2^63.
    case messageIDNotIncreasing(id: UInt64, highest: UInt64)
    /// `appendMessage` was given no queue to hold the message.
    case noQueues
    /// A name, key, argument table or body is larger than its length field can describe.
    case tooLarge(field: String, size: Int)
    /// `readMessage` of an id the store does not hold (never stored, or its segment was
    /// deleted after every queue removed what it held).
    case messageNotFound(UInt64)
    /// A stored record failed its checksum when read back.
    case corruptRecord(path: String, offset: Int)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case .directoryLocked(let path):
            return "data directory \(path) is in use by another Warren broker (\(path)/LOCK is locked)"
        case .io(let call, let path, let errno):
            return "\(call) on \(path) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .writeFailed(let path, let errno):
            return "append to \(path) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .unsupportedFormat(let path, let version):
            return "\(path) has format version \(version), which this build cannot read"
        case .messageIDNotIncreasing(let id, let highest):
            return "message id \(id) is not above the highest stored id \(highest) (or is 2^63 or more)"
        case .noQueues:
            return "a stored message needs at least one queue"
        case .tooLarge(let field, let size):
            return "\(field) of \(size) bytes is too large to store"
        case .messageNotFound(let id):
            return "message \(id) is not in the store"
        case .corruptRecord(let path, let offset):
            return "record at offset \(offset) of \(path) failed its checksum"
        case .closed:
            return "the store is closed"
        }
    }
}
