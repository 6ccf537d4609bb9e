import Glibc

/// One log file the loop appends to.
///
/// Records are encoded straight into `buffer` (user space) and written with one
/// pwrite(2) per flush, at the offset the file is known to end at. Nothing here calls
/// fsync: the syncer thread does, on the descriptor it is handed. The loop never
/// closes a descriptor it has handed over; it retires the file to the syncer instead
/// (see `Syncer`), so a descriptor number is never reused while a sync may touch it.
///
/// When a write fails, the file is cut back to its last good size (best effort; if the
/// cut fails too, the next write overwrites the partial bytes from the same offset) and
/// the buffer is dropped: a failed write never leaves a record half-present in the
/// middle of the log.
final class AppendFile {
    let path: String
    let fd: Int32
    /// Unique within a store, so failures reported by the syncer name a file even after
    /// its descriptor number was reused.
    let serial: UInt64
    /// Bytes handed to the kernel: the file's logical size.
    private(set) var writtenSize: Int
    /// Records encoded but not yet written.
    var buffer: [UInt8] = []
    /// Written (or buffered) since the last sync request took it.
    var isDirty = false
    private let faults: FaultInjector?
    /// The file header until it is first written: re-buffered if that write fails, so a
    /// file never goes on without its header.
    private var unwrittenHeader: [UInt8]?

    var size: Int { writtenSize + buffer.count }

    private init(path: String, fd: Int32, serial: UInt64, size: Int, faults: FaultInjector?) {
        self.path = path
        self.fd = fd
        self.serial = serial
        self.writtenSize = size
        self.faults = faults
        buffer.reserveCapacity(64 << 10)
    }

    /// Creates a new file (it must not exist) with `header` buffered as its first bytes.
    static func create(_ path: String, header: FileHeader, serial: UInt64,
                       faults: FaultInjector?) throws(StoreError) -> AppendFile {
        let fd = try FileIO.openFile(path, flags: O_RDWR | O_CREAT | O_EXCL)
        let file = AppendFile(path: path, fd: fd, serial: serial, size: 0, faults: faults)
        file.unwrittenHeader = header.bytes
        file.buffer.append(contentsOf: header.bytes)
        file.isDirty = true
        return file
    }

    /// Opens an existing file to append after its current end.
    static func openForAppend(_ path: String, serial: UInt64, faults: FaultInjector?) throws(StoreError) -> AppendFile {
        let fd = try FileIO.openFile(path, flags: O_RDWR)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = StoreError.io(call: "fstat", path: path, errno: errno)
            Glibc.close(fd)
            throw error
        }
        return AppendFile(path: path, fd: fd, serial: serial, size: Int(info.st_size), faults: faults)
    }

    /// Writes the buffer to the kernel's page cache.
    func flush() throws(StoreError) {
        guard !buffer.isEmpty else { return }
        isDirty = true
        var failure = faults?.failure(.write, path) ?? 0
        if failure == 0 {
            failure = buffer.withUnsafeBytes { FileIO.writeAll(fd, $0, at: writtenSize) }
        }
        guard failure != 0 else {
            writtenSize += buffer.count
            buffer.removeAll(keepingCapacity: true)
            unwrittenHeader = nil
            return
        }
        _ = ftruncate(fd, off_t(writtenSize))
        buffer.removeAll(keepingCapacity: true)
        if let unwrittenHeader { buffer.append(contentsOf: unwrittenHeader) }
        throw .writeFailed(path: path, errno: failure)
    }

    /// Reads back `count` bytes at `offset`, from the buffer or the file. A range that
    /// straddles the written part and the buffer is not served; the caller flushes first
    /// (through the store, which accounts for a failed write).
    func read(count: Int, at offset: Int) throws(StoreError) -> [UInt8]? {
        if offset >= writtenSize {
            let start = offset - writtenSize
            guard start + count <= buffer.count else { return [] }
            return Array(buffer[start..<(start + count)])
        }
        guard offset + count <= writtenSize else { return nil }
        return try FileIO.read(fd, count: count, at: offset, path: path)
    }

    /// Closes the descriptor directly. Only for files never handed to the syncer (during
    /// open, before it starts).
    func closeUnshared() {
        Glibc.close(fd)
    }
}
