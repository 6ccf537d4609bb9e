import Glibc

/// Writes all of `bytes` to a descriptor, retrying short writes and EINTR.
func writeAll(_ bytes: [UInt8], to fd: Int32) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { buffer in
            buffer.baseAddress.map { write(fd, $0 + offset, buffer.count - offset) } ?? 0
        }
        if written > 0 {
            offset += written
        } else if written < 0 && errno == EINTR {
            continue
        } else {
            return
        }
    }
}

func writeStandardError(_ text: String) {
    writeAll(Array(text.utf8), to: STDERR_FILENO)
}

/// Everything on standard input until end of file.
func readStandardInput() -> [UInt8] {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if count > 0 {
            result.append(contentsOf: chunk[..<count])
        } else if count < 0 && errno == EINTR {
            continue
        } else {
            return result
        }
    }
}

/// `mkdir -p`: creates `path` and any missing parents.
func makeDirectories(_ path: String) throws(DirectoryError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
        prefix += component
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw DirectoryError(path: prefix, code: errno)
        }
        prefix += "/"
    }
}

struct DirectoryError: Error, CustomStringConvertible {
    let path: String
    let code: Int32
    var description: String { "cannot create directory \(path): \(String(cString: strerror(code)))" }
}
