import Foundation
import Glibc
import WarrenClient

/// A fake broker on a loopback port that completes the handshake (proposing
/// heartbeat 1) and then never sends another byte: what a hung broker looks like.
final class SilentBroker: Sendable {
    let port: Int
    private let listener: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else { throw TimedOut(what: "a loopback port for the silent broker") }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { Self.serve(listener) }.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private static func serve(_ listener: Int32) {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        var splitter = FrameSplitter()
        var buffer = [UInt8](repeating: 0, count: 4096)
        func read(frames count: Int) {
            var seen = 0
            while seen < count {
                let got = recv(client, &buffer, buffer.count, 0)
                guard got > 0 else { return }
                splitter.append(buffer[0..<got])
                while (try? splitter.next()) != nil { seen += 1 }
            }
        }
        func send(_ method: Method) {
            var writer = ByteWriter()
            writer.writeMethodFrame(channel: 0, method)
            _ = writer.bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        // The protocol header arrives first; readProtocolHeader consumes it.
        while splitter.readProtocolHeader() == nil {
            let got = recv(client, &buffer, buffer.count, 0)
            guard got > 0 else { return }
            splitter.append(buffer[0..<got])
        }
        send(.connectionStart(ConnectionStart(versionMajor: 0, versionMinor: 9, mechanisms: Array("PLAIN".utf8),
                                              locales: Array("en_US".utf8))))
        read(frames: 1)  // start-ok
        send(.connectionTune(ConnectionTune(channelMax: 16, frameMax: 131_072, heartbeat: 1)))
        read(frames: 2)  // tune-ok, open
        send(.connectionOpenOk(ConnectionOpenOk()))
        // Silence from here on; keep reading so the client's heartbeats are swallowed.
        while recv(client, &buffer, buffer.count, 0) > 0 {}
        close(client)
        close(listener)
    }
}
