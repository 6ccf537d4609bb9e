import Glibc

/// The definitions log: `definitions.log`, a file header (kind "WDEF", value 0) then one
/// record per `DefinitionChange`. Record types and payloads (strings are a u16 length
/// then UTF-8; `args` is a u32 length then opaque bytes):
///
///     1 declareExchange  vhost, name, type, flags u8, args
///     2 deleteExchange   vhost, name
///     3 declareQueue     vhost, name, flags u8, args
///     4 deleteQueue      vhost, name
///     5 bind             vhost, source, destination, kind u8 (0 queue, 1 exchange), routing key, args
///     6 unbind           same as bind
///
/// Appended on the loop while running; at open it is replayed, then rewritten holding
/// only the live definitions (compaction), through a temporary file that is fsynced
/// and renamed over the old one, so a crash leaves either the old log or the new one.
enum DefinitionsLog {
    static let maxPayload = 64 << 20

    static func encode(_ change: DefinitionChange, into buffer: inout [UInt8]) throws(StoreError) {
        let start: Int
        switch change {
        case .declareExchange(let exchange):
            let fields = [exchange.vhost, exchange.name, exchange.type].map { Array($0.utf8) }
            try check(fields, arguments: exchange.arguments)
            start = RecordFormat.begin(1, in: &buffer)
            for field in fields { buffer.appendShortField(field) }
            buffer.append(exchange.flags.rawValue)
            buffer.appendLongField(exchange.arguments)
        case .deleteExchange(let vhost, let name), .deleteQueue(let vhost, let name):
            let fields = [vhost, name].map { Array($0.utf8) }
            try check(fields, arguments: [])
            if case .deleteExchange = change { start = RecordFormat.begin(2, in: &buffer) } else { start = RecordFormat.begin(4, in: &buffer) }
            for field in fields { buffer.appendShortField(field) }
        case .declareQueue(let queue):
            let fields = [queue.vhost, queue.name].map { Array($0.utf8) }
            try check(fields, arguments: queue.arguments)
            start = RecordFormat.begin(3, in: &buffer)
            for field in fields { buffer.appendShortField(field) }
            buffer.append(queue.flags.rawValue)
            buffer.appendLongField(queue.arguments)
        case .bind(let binding), .unbind(let binding):
            let fields = [binding.vhost, binding.source, binding.destination].map { Array($0.utf8) }
            let routingKey = Array(binding.routingKey.utf8)
            try check(fields + [routingKey], arguments: binding.arguments)
            if case .bind = change { start = RecordFormat.begin(5, in: &buffer) } else { start = RecordFormat.begin(6, in: &buffer) }
            for field in fields { buffer.appendShortField(field) }
            buffer.append(binding.destinationKind.rawValue)
            buffer.appendShortField(routingKey)
            buffer.appendLongField(binding.arguments)
        }
        RecordFormat.finish(at: start, in: &buffer)
    }

    private static func check(_ fields: [[UInt8]], arguments: [UInt8]) throws(StoreError) {
        for field in fields { try ByteLimits.checkShort(field, "definition name") }
        if arguments.count > maxPayload / 2 { throw .tooLarge(field: "definition arguments", size: arguments.count) }
    }

    /// Decodes one record's payload; nil when it does not parse (a format error in a
    /// record whose CRC matched, which recovery reports and skips).
    static func decode(type: UInt8, _ cursor: inout ByteCursor) -> DefinitionChange? {
        guard let vhost = cursor.shortString() else { return nil }
        let change: DefinitionChange?
        switch type {
        case 1:
            guard let name = cursor.shortString(), let kind = cursor.shortString(),
                  let flags = cursor.read(UInt8.self), let arguments = cursor.longField() else { return nil }
            change = .declareExchange(ExchangeDefinition(vhost: vhost, name: name, type: kind,
                flags: ExchangeFlags(rawValue: flags), arguments: cursor.array(arguments)))
        case 2, 4:
            guard let name = cursor.shortString() else { return nil }
            change = type == 2 ? .deleteExchange(vhost: vhost, name: name) : .deleteQueue(vhost: vhost, name: name)
        case 3:
            guard let name = cursor.shortString(), let flags = cursor.read(UInt8.self),
                  let arguments = cursor.longField() else { return nil }
            change = .declareQueue(QueueDefinition(vhost: vhost, name: name, flags: QueueFlags(rawValue: flags),
                                                   arguments: cursor.array(arguments)))
        case 5, 6:
            guard let source = cursor.shortString(), let destination = cursor.shortString(),
                  let kindByte = cursor.read(UInt8.self),
                  let kind = BindingDefinition.DestinationKind(rawValue: kindByte),
                  let routingKey = cursor.shortString(), let arguments = cursor.longField() else { return nil }
            let binding = BindingDefinition(vhost: vhost, source: source, destination: destination,
                                            destinationKind: kind, routingKey: routingKey, arguments: cursor.array(arguments))
            change = type == 5 ? .bind(binding) : .unbind(binding)
        default:
            return nil
        }
        return cursor.isAtEnd ? change : nil
    }

    /// Replays `definitions.log` (if any) into the live set, noting damage.
    static func recover(_ directory: DataDirectory, notes: inout [RecoveryNote]) throws(StoreError) -> DefinitionSet {
        let path = directory.definitionsPath
        if FileIO.fileExists(directory.definitionsTemporaryPath) {
            try FileIO.remove(directory.definitionsTemporaryPath)
            notes.append(RecoveryNote(kind: .leftoverFile, path: directory.definitionsTemporaryPath,
                                      detail: "removed the temporary file of an interrupted compaction"))
        }
        var set = DefinitionSet()
        guard FileIO.fileExists(path) else { return set }
        let contents = try FileIO.readAll(path)
        var failure: StoreError?
        contents.withUnsafeBytes { bytes in
            switch FileHeader.check(bytes, expecting: .definitions) {
            case .valid: break
            case .truncated:
                notes.append(RecoveryNote(kind: .damagedFile, path: path, detail: "shorter than its header; no definitions"))
                return
            case .wrongMagic:
                notes.append(RecoveryNote(kind: .damagedFile, path: path, detail: "damaged header; scanning records anyway"))
            case .unsupportedVersion(let version):
                failure = .unsupportedFormat(path: path, version: version)
                return
            }
            var scanner = RecordScanner(bytes, from: RecordFormat.fileHeaderSize, maxPayload: maxPayload) { type, payload in
                (1...6).contains(type) && payload.count >= 2
            }
            while let event = scanner.next() {
                switch event {
                case .record(let type, let start, let payload):
                    var cursor = ByteCursor(bytes, range: payload)
                    if let change = decode(type: type, &cursor) {
                        set.apply(change)
                    } else {
                        notes.append(RecoveryNote(kind: .damagedRecords, path: path,
                                                  detail: "record at offset \(start) (type \(type)) does not parse; skipped"))
                    }
                case .damaged(let range):
                    let tail = range.upperBound == bytes.count
                    notes.append(RecoveryNote(kind: tail ? .tornTail : .damagedRecords, path: path,
                        detail: "\(range.count) damaged bytes at offset \(range.lowerBound) skipped"))
                }
            }
        }
        if let failure { throw failure }
        return set
    }

    /// Rewrites the log to hold exactly `set`, durably: temporary file, fdatasync,
    /// rename over the old log, fsync of the directory.
    static func compact(_ set: DefinitionSet, in directory: DataDirectory) throws(StoreError) {
        let temporary = directory.definitionsTemporaryPath
        var bytes = FileHeader(kind: .definitions, value: 0).bytes
        for change in set.declarations { try encode(change, into: &bytes) }
        let fd = try FileIO.openFile(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        let written = bytes.withUnsafeBytes { FileIO.writeAll(fd, $0, at: 0) }
        let synced = written == 0 ? FileIO.syncData(fd) : written
        Glibc.close(fd)
        guard synced == 0 else { throw .io(call: "write", path: temporary, errno: synced) }
        try FileIO.rename(temporary, directory.definitionsPath)
        let directorySynced = FileIO.syncDirectory(directory.root)
        guard directorySynced == 0 else { throw .io(call: "fsync", path: directory.root, errno: directorySynced) }
    }
}
