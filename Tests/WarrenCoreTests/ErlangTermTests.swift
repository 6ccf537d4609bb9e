import AMQPProtocol
import Testing
@testable import WarrenCore

struct ErlangTermTests {
    @Test func numbersCompareByValueAcrossTypes() {
        #expect(ErlangTerm.equal(.int8(3), .uint32(3)))
        #expect(ErlangTerm.equal(.int64(3), .double(3.0)))
        #expect(ErlangTerm.equal(.float(0.5), .double(0.5)))
        #expect(ErlangTerm.equal(.timestamp(UInt64.max), .timestamp(UInt64.max)))
        #expect(!ErlangTerm.equal(.timestamp(UInt64.max), .int64(-1)))
        #expect(!ErlangTerm.equal(.int32(3), .double(3.5)))
    }

    @Test func binariesCompareWhateverTheirTag() {
        #expect(ErlangTerm.equal(.string("a"), .byteArray([97])))
        #expect(!ErlangTerm.equal(.string("a"), .string("b")))
        #expect(!ErlangTerm.equal(.string("1"), .int32(1)))
    }

    @Test func printsTermsAsRabbitMQDoes() {
        #expect(FieldValue.string("abc").erlangTerm == "<<\"abc\">>")
        #expect(FieldValue.string("\u{E9}").erlangTerm == "<<\"\u{E9}\"/utf8>>")
        #expect(FieldValue.string("abc").erlangText == "abc")
        #expect(FieldValue.boolean(true).erlangText == "true")
        #expect(FieldValue.decimal(scale: 2, value: 150).erlangText == "{2,150}")
        #expect(FieldValue.array([.int32(1)]).erlangText == "[{signedint,1}]")
        #expect(FieldValue.void.erlangText == "undefined")
    }

    @Test func typeNamesAndClassesFollowRabbitMQ() {
        #expect(FieldValue.uint8(1).erlangTypeName == "unsignedbyte")
        #expect(FieldValue.byteArray([]).erlangTypeName == "binary")
        #expect(FieldValue.int8(1).typeClass == FieldValue.int64(1).typeClass)
        #expect(FieldValue.float(1).typeClass == FieldValue.double(1).typeClass)
        #expect(FieldValue.timestamp(1).typeClass != FieldValue.int64(1).typeClass)
    }

    @Test func equivalenceNeedsTheSameTypeClass() {
        #expect(Equivalence.equivalent(.int32(5), .int64(5)))
        #expect(!Equivalence.equivalent(.int32(5), .double(5)))
        #expect(!Equivalence.equivalent(.string("5"), .int32(5)))
    }
}
