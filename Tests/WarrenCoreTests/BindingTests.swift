import AMQPProtocol
import Testing
@testable import WarrenCore

struct BindingTests {
    @Test func argumentOrderDoesNotMakeADifferentBinding() {
        let first = Binding(source: "x", destination: .queue("q"), routingKey: "k",
                            arguments: ["b": .int32(1), "a": .int32(2)])
        let second = Binding(source: "x", destination: .queue("q"), routingKey: "k",
                             arguments: ["a": .int32(2), "b": .int32(1)])
        #expect(first == second)
        #expect(first.arguments.names == ["a", "b"])
    }

    @Test func queueAndExchangeDestinationsDiffer() {
        let toQueue = Binding(source: "x", destination: .queue("d"), routingKey: "")
        let toExchange = Binding(source: "x", destination: .exchange("d"), routingKey: "")
        #expect(toQueue != toExchange)
        #expect(toQueue.destination.name == toExchange.destination.name)
    }

    @Test func sortingIsStableForRepeatedNames() {
        let table = FieldTable([.init("b", .int32(1)), .init("a", .int32(1)), .init("b", .int32(2))])
        #expect(table.sortedByName().entries.map(\.value) == [.int32(1), .int32(1), .int32(2)])
        #expect(table.sortedByName().names == ["a", "b", "b"])
    }
}
