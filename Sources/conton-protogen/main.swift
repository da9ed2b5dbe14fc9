import Foundation

/// conton-protogen --descriptor-set FILE --out DIR
///
/// Reads a serialized google.protobuf.FileDescriptorSet (protoc --descriptor_set_out
/// --include_imports) and writes one Swift file per proto file into DIR. Files in DIR that an
/// earlier run generated but this one does not are removed. Output is deterministic.
func run() throws {
    var args = CommandLine.arguments.dropFirst()
    var descriptorSet: String?
    var out: String?
    var securityDocument: String?
    while let arg = args.popFirst() {
        switch arg {
        case "--descriptor-set": descriptorSet = args.popFirst()
        case "--out": out = args.popFirst()
        case "--security-doc": securityDocument = args.popFirst()
        case "-h", "--help":
            print("usage: conton-protogen --descriptor-set FILE --out DIR [--security-doc docs/SECURITY.md]")
            return
        default: throw GeneratorError("unknown argument \(arg)")
        }
    }
    guard let descriptorSet, let out else { throw GeneratorError("usage: conton-protogen --descriptor-set FILE --out DIR") }
    guard let data = FileManager.default.contents(atPath: descriptorSet) else {
        throw GeneratorError("cannot read \(descriptorSet)")
    }
    let files = try FileModel.load(descriptorSet: [UInt8](data)).sorted { $0.name < $1.name }
    let index = TypeIndex(files: files)
    let fm = FileManager.default
    try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
    var written = Set<String>()
    for file in files {
        let emitter = FileEmitter(file: file, index: index)
        let source = try emitter.render()
        let path = (out as NSString).appendingPathComponent(emitter.outputName)
        guard written.insert(emitter.outputName).inserted else { throw GeneratorError("two protos map to \(emitter.outputName)") }
        if fm.contents(atPath: path) != Data(source.utf8) {
            try Data(source.utf8).write(to: URL(fileURLWithPath: path))
        }
    }
    // Every method's rule in one table, for the plugin host.
    let access = AccessEmitter(files: files)
    let global = access.renderGlobalTable()
    let globalPath = (out as NSString).appendingPathComponent(AccessEmitter.globalFileName)
    if fm.contents(atPath: globalPath) != Data(global.utf8) { try Data(global.utf8).write(to: URL(fileURLWithPath: globalPath)) }
    written.insert(AccessEmitter.globalFileName)
    // The permission table of docs/SECURITY.md.
    if let securityDocument {
        guard let text = fm.contents(atPath: securityDocument).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw GeneratorError("cannot read \(securityDocument)")
        }
        let rewritten = try access.rewriting(text)
        if rewritten != text { try Data(rewritten.utf8).write(to: URL(fileURLWithPath: securityDocument)) }
    }
    for name in try fm.contentsOfDirectory(atPath: out) where name.hasSuffix(".swift") && !written.contains(name) {
        let path = (out as NSString).appendingPathComponent(name)
        if let text = fm.contents(atPath: path), String(decoding: text.prefix(200), as: UTF8.self).hasPrefix(FileEmitter.headerPrefix) {
            try fm.removeItem(atPath: path)
        }
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("conton-protogen: \(error)\n".utf8))
    exit(1)
}
