import ContonAPI
import ContonProto

/// The text-format lines of a `conton.testing.v1.Kinds` that sets every field kind; each line is
/// also a test case of its own.
enum KindsSample {
    static let lines: [String] = [
        "f_int32: -42",
        "f_int64: -9000000000",
        "f_uint32: 4000000000",
        "f_uint64: 18000000000000000000",
        "f_sint32: -7",
        "f_sint64: -8000000000",
        "f_fixed32: 123456",
        "f_fixed64: 9876543210",
        "f_sfixed32: -1234",
        "f_sfixed64: -9876543210",
        "f_float: 1.5",
        "f_double: -2.25",
        "f_bool: true",
        #"f_string: "h\303\251llo \"w\"""#,
        #"f_bytes: "\000\001\377abc""#,
        "level: HIGH",
        "color: KINDS_COLOR_GREEN",
        #"nested { name: "n" value: 7 child { name: "c" } }"#,
        "r_int32: [1, -2, 300]",
        "r_sint64: [-1, 2, -3000000000]",
        "r_double: [0.5, -1.25]",
        "r_bool: [true, false, true]",
        "r_level: [LOW, HIGH, LEVEL_UNKNOWN]",
        "r_fixed32_unpacked: [1, 2]",
        "r_int64_unpacked: [-5, 6]",
        #"r_string: ["a", "", "c"]"#,
        #"r_bytes: ["x", ""]"#,
        #"r_nested { name: "a" } r_nested { }"#,
        #"counts { key: "a" value: 1 } counts { key: "b" value: -2 }"#,
        #"by_id { key: 5 value { name: "five" } } by_id { key: 7 value { } }"#,
        #"choice_nested { name: "chosen" }"#,
        "at { seconds: 1700000000 nanos: 123000000 }",
        "took { seconds: 90 nanos: 500 }",
        #"mask { paths: "f_int32" paths: "nested.name" }"#,
        "w_int64 { value: -5 }",
        #"w_string { value: "wrapped" }"#,
        "w_bool { value: true }",
        "w_double { value: 0.25 }",
        #"w_bytes { value: "\001" }"#,
        "w_uint32 { value: 9 }",
        "empty { }",
        #"class: "k""#,
        #"default: ["d1", "d2"]"#,
    ]

    static var text: String { lines.joined(separator: "\n") + "\n" }

    /// The same message built in Swift.
    static var message: Conton_Testing_V1_Kinds {
        var m = Conton_Testing_V1_Kinds()
        m.fInt32 = -42
        m.fInt64 = -9_000_000_000
        m.fUint32 = 4_000_000_000
        m.fUint64 = 18_000_000_000_000_000_000
        m.fSint32 = -7
        m.fSint64 = -8_000_000_000
        m.fFixed32 = 123_456
        m.fFixed64 = 9_876_543_210
        m.fSfixed32 = -1234
        m.fSfixed64 = -9_876_543_210
        m.fFloat = 1.5
        m.fDouble = -2.25
        m.fBool = true
        m.fString = "héllo \"w\""
        m.fBytes = [0, 1, 255, 97, 98, 99]
        m.level = .high
        m.color = .green
        var child = Conton_Testing_V1_Kinds.Nested()
        child.name = "c"
        var nested = Conton_Testing_V1_Kinds.Nested()
        nested.name = "n"
        nested.value = 7
        nested.child = child
        m.nested = nested
        m.rInt32 = [1, -2, 300]
        m.rSint64 = [-1, 2, -3_000_000_000]
        m.rDouble = [0.5, -1.25]
        m.rBool = [true, false, true]
        m.rLevel = [.low, .high, .unknown]
        m.rFixed32Unpacked = [1, 2]
        m.rInt64Unpacked = [-5, 6]
        m.rString = ["a", "", "c"]
        m.rBytes = [Array("x".utf8), []]
        var a = Conton_Testing_V1_Kinds.Nested()
        a.name = "a"
        m.rNested = [a, Conton_Testing_V1_Kinds.Nested()]
        m.counts = ["a": 1, "b": -2]
        var five = Conton_Testing_V1_Kinds.Nested()
        five.name = "five"
        m.byId = [5: five, 7: Conton_Testing_V1_Kinds.Nested()]
        var chosen = Conton_Testing_V1_Kinds.Nested()
        chosen.name = "chosen"
        m.choice = .choiceNested(chosen)
        m.at.seconds = 1_700_000_000
        m.at.nanos = 123_000_000
        m.took.seconds = 90
        m.took.nanos = 500
        m.mask.paths = ["f_int32", "nested.name"]
        m.wInt64.value = -5
        m.wString.value = "wrapped"
        m.wBool.value = true
        m.wDouble.value = 0.25
        m.wBytes.value = [1]
        m.wUint32.value = 9
        m.empty = Google_Protobuf_Empty()
        m.class = "k"
        m.default = ["d1", "d2"]
        return m
    }
}
