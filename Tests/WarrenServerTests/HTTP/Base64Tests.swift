import Foundation
import Testing
@testable import WarrenServer

/// Warren's own base64 (the server links no Foundation) agrees with Foundation's.
@Suite struct Base64Tests {
    @Test func encodesAndDecodesEveryLengthAndByteLikeFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
            #expect(Base64.encode(bytes) == expected)
            #expect(Base64.decode(expected) == bytes)
        }
        #expect(Base64.encode(Array("guest:guest".utf8)) == "Z3Vlc3Q6Z3Vlc3Q=")
    }

    @Test(arguments: ["Z3Vlc3Q", "Z3Vlc3Q6Z3Vlc3Q=x", "Z3=lc3Q6", "Z3Vl c3Q=", "Z3Vlc3Q6Z3Vlc3Q*", "Z==="])
    func refusesWhatFoundationRefuses(_ text: String) {
        #expect(Base64.decode(text) == nil)
        #expect(Data(base64Encoded: text) == nil)
    }
}
