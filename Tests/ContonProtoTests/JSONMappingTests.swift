import ContonAPI
import ContonProto
import Testing

/// The proto3 JSON mapping.
@Suite struct JSONMappingTests {
    static let sampleJSON = #"{"fInt32":-42,"fInt64":"-9000000000","fUint32":4000000000,"fUint64":"18000000000000000000","fSint32":-7,"fSint64":"-8000000000","fFixed32":123456,"fFixed64":"9876543210","fSfixed32":-1234,"fSfixed64":"-9876543210","fFloat":1.5,"fDouble":-2.25,"fBool":true,"fString":"héllo \"w\"","fBytes":"AAH/YWJj","level":"HIGH","color":"KINDS_COLOR_GREEN","nested":{"name":"n","value":"7","child":{"name":"c"}},"rInt32":[1,-2,300],"rSint64":["-1","2","-3000000000"],"rDouble":[0.5,-1.25],"rBool":[true,false,true],"rLevel":["LOW","HIGH","LEVEL_UNKNOWN"],"rFixed32Unpacked":[1,2],"rInt64Unpacked":["-5","6"],"rString":["a","","c"],"rBytes":["eA==",""],"rNested":[{"name":"a"},{}],"counts":{"a":"1","b":"-2"},"byId":{"5":{"name":"five"},"7":{}},"choiceNested":{"name":"chosen"},"at":"2023-11-14T22:13:20.123Z","took":"90.000000500s","mask":"fInt32,nested.name","wInt64":"-5","wString":"wrapped","wBool":true,"wDouble":0.25,"wBytes":"AQ==","wUint32":9,"empty":{},"class":"k","default":["d1","d2"]}"#

    @Test func encodesEveryKind() throws {
        #expect(try KindsSample.message.jsonString() == Self.sampleJSON)
    }

    @Test func decodesEveryKind() throws {
        #expect(try Conton_Testing_V1_Kinds(jsonString: Self.sampleJSON) == KindsSample.message)
    }

    @Test func byMessageNameFromAndToBinary() throws {
        let bytes = try TestSupport.protocEncode(KindsSample.text)
        #expect(try ProtoJSON.encode(bytes: bytes, messageName: "conton.testing.v1.Kinds") == Self.sampleJSON)
        #expect(try ProtoJSON.decode(json: Self.sampleJSON, messageName: "conton.testing.v1.Kinds") == bytes)
        #expect(try ProtoJSON.encode(bytes: [], messageName: "conton.testing.v1.Kinds") == "{}")
    }

    @Test func defaultsAreOmittedButOneofMembersAndWrappersAreNot() throws {
        var m = Conton_Testing_V1_Kinds()
        m.fInt32 = 0
        m.choiceNumber = 0
        m.wInt64 = Google_Protobuf_Int64Value()
        m.wBool.value = false
        #expect(try m.jsonString() == #"{"choiceNumber":"0","wInt64":"0","wBool":false}"#)
    }

    @Test func acceptsProtoNamesNumbersAndAlternatives() throws {
        let json = #"""
            { "f_int32": "12", "fInt64": 34, "f_uint64": 1e3, "level": 2, "color": "KINDS_COLOR_RED",
              "fBytes": "_-8", "fFloat": "NaN", "fDouble": "-Infinity", "r_level": [1, "HIGH"],
              "at": "1970-01-01T01:00:00.5+01:00", "took": "-1.5s", "nested": null, "wString": null,
              "w_uint32": "7", "mask": "", "by_id": {"-3": {"value": "9"}} }
            """#
        let m = try Conton_Testing_V1_Kinds(jsonString: json)
        #expect(m.fInt32 == 12 && m.fInt64 == 34 && m.fUint64 == 1000)
        #expect(m.level == .high && m.color == .red)
        #expect(m.fBytes == [0xFF, 0xEF])
        #expect(m.fFloat.isNaN && m.fDouble == -.infinity)
        #expect(m.rLevel == [.low, .high])
        #expect(m.at.seconds == 0 && m.at.nanos == 500_000_000)
        #expect(m.took.seconds == -1 && m.took.nanos == -500_000_000)
        #expect(!m.hasNested && !m.hasWString)
        #expect(m.wUint32.value == 7)
        #expect(m.hasMask && m.mask.paths.isEmpty)
        #expect(m.byId[-3]?.value == 9)
    }

    @Test func unknownEnumNumbersAreKept() throws {
        let m = try Conton_Testing_V1_Kinds(jsonString: #"{"level": 9, "rLevel": [1, 10]}"#)
        #expect(m.level == .unrecognized(9))
        #expect(try m.jsonString() == #"{"level":9,"rLevel":["LOW",10]}"#)
    }

    @Test func wellKnownTypesStandAlone() throws {
        var ts = Google_Protobuf_Timestamp()
        ts.seconds = -62_135_596_800
        #expect(try ts.jsonString() == #""0001-01-01T00:00:00Z""#)
        ts.seconds = 253_402_300_799
        ts.nanos = 999_999_999
        #expect(try ts.jsonString() == #""9999-12-31T23:59:59.999999999Z""#)
        ts.seconds = 253_402_300_800
        #expect(throws: ProtoJSONError.self) { try ts.jsonString() }
        #expect(try Google_Protobuf_Timestamp(jsonString: #""2024-02-29T12:00:00.000123Z""#).nanos == 123_000)
        #expect(throws: ProtoJSONError.self) { try Google_Protobuf_Timestamp(jsonString: #""2023-02-29T12:00:00Z""#) }

        var d = Google_Protobuf_Duration()
        d.seconds = -3
        d.nanos = -10_000_000
        #expect(try d.jsonString() == #""-3.010s""#)
        #expect(try Google_Protobuf_Duration(jsonString: #""0.000001s""#).nanos == 1000)

        var mask = Google_Protobuf_FieldMask()
        mask.paths = ["client.tax_regime", "name"]
        #expect(try mask.jsonString() == #""client.taxRegime,name""#)
        #expect(try Google_Protobuf_FieldMask(jsonString: #""client.taxRegime,name""#) == mask)

        var w = Google_Protobuf_UInt64Value()
        w.value = 18_446_744_073_709_551_615
        #expect(try w.jsonString() == #""18446744073709551615""#)
        #expect(try Google_Protobuf_UInt64Value(jsonString: #""18446744073709551615""#) == w)
        #expect(try Google_Protobuf_Empty().jsonString() == "{}")
    }

    @Test func unknownFieldIsNamed() {
        expectJSONError(#"{"fInt32": 1, "bogus": true}"#, .unknownField, path: "bogus")
        expectJSONError(#"{"nested": {"child": {"nope": 1}}}"#, .unknownField, path: "nested.child.nope")
        expectJSONError(#"{"rNested": [{}, {"x": 1}]}"#, .unknownField, path: "rNested[1].x")
        expectJSONError(#"{"byId": {"4": {"y": 1}}}"#, .unknownField, path: #"byId["4"].y"#)
    }

    @Test func invalidValuesAreRejected() {
        expectJSONError(#"{"fInt32": 3000000000}"#, .invalidValue, path: "fInt32")
        expectJSONError(#"{"fInt32": 1.5}"#, .invalidValue, path: "fInt32")
        expectJSONError(#"{"fUint32": -1}"#, .invalidValue, path: "fUint32")
        expectJSONError(#"{"fInt64": "9223372036854775808"}"#, .invalidValue, path: "fInt64")
        expectJSONError(#"{"fBool": "true"}"#, .invalidValue, path: "fBool")
        expectJSONError(#"{"level": "MEDIUM"}"#, .invalidValue, path: "level")
        expectJSONError(#"{"fBytes": "!!"}"#, .invalidValue, path: "fBytes")
        expectJSONError(#"{"fFloat": 1e39}"#, .invalidValue, path: "fFloat")
        expectJSONError(#"{"at": "yesterday"}"#, .invalidValue, path: "at")
        expectJSONError(#"{"rInt32": 5}"#, .invalidValue, path: "rInt32")
        expectJSONError(#"{"fInt32": 1, "f_int32": 2}"#, .duplicateField, path: "f_int32")
        expectJSONError(#"{"choiceText": "a", "choiceNumber": 1}"#, .duplicateField, path: "choiceNumber")
        expectJSONError(#"{"fInt32": 1,}"#, .syntax, path: "")
        expectJSONError("[1]", .invalidValue, path: "")
    }

    @Test func stringsEscapeAndUnescape() throws {
        var m = Conton_Testing_V1_Kinds()
        m.fString = "a\"b\\c\n\u{01}é😀"
        let json = try m.jsonString()
        #expect(json == #"{"fString":"a\"b\\c\n\u0001é😀"}"#)
        #expect(try Conton_Testing_V1_Kinds(jsonString: json) == m)
        #expect(try Conton_Testing_V1_Kinds(jsonString: #"{"fString":"\ud83d\ude00\u00e9"}"#).fString == "😀é")
    }

    @Test func unknownMessageName() {
        #expect(throws: ProtoJSONError(.unknownMessage, path: "", "no message named x.Y is registered")) {
            try ProtoJSON.decode(json: "{}", messageName: "x.Y")
        }
    }

    private func expectJSONError(_ json: String, _ kind: ProtoJSONError.Kind, path: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try Conton_Testing_V1_Kinds(jsonString: json)
            Issue.record("expected \(kind) at \(path) for \(json)", sourceLocation: sourceLocation)
        } catch let error as ProtoJSONError {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
            if kind == .unknownField {
                #expect(error.description.contains(path), sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }
}
