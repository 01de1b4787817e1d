import Foundation
import Tensor

/// mnistbook's own model file (`*.mnistbook`): architecture, weights and metadata in one checked file.
///
///     offset  size  content
///     0       8     magic "MNISTBK\0"
///     8       4     format version, UInt32 little-endian (1)
///     12      8     JSON length L, UInt64 little-endian
///     20      L     JSON header, UTF-8 (architecture, parameter table, metadata; space-padded so
///                   that the weights start on a 16-byte boundary)
///     20+L    W     weights: every parameter in layer order, float32 little-endian, Keras layouts
///     20+L+W  4     CRC-32 (IEEE 802.3 / zlib) of bytes 0 ..< 20+L+W, UInt32 little-endian
///
/// docs/MODEL_FORMAT.md describes every field.
public enum ModelFile {
    public static let magic: [UInt8] = Array("MNISTBK\0".utf8)
    /// The format of float32 models (older builds read only this one).
    public static let formatVersion: UInt32 = 1
    /// The format of int8 models (`QuantizedModel`), the newest this build reads; see ModelFile+Int8.swift.
    public static let int8FormatVersion: UInt32 = 2
    public static let fileExtension = "mnistbook"
    /// Magic, version and JSON length.
    public static let preambleSize = 20

    // MARK: writing (the engine encodes; the caller writes the bytes, through Report's AtomicFile)

    /// The file's bytes: `model`'s architecture with `weights` (its own, or e.g. `History.checkpointWeights`). `path` only names the target in errors.
    public static func encode(weights: [Tensor], of model: Model, metadata: ModelMetadata, path: String = "<memory>") throws -> [UInt8] {
        try checkWeights(weights, of: model, path: path)
        try checkMetadata(metadata, of: model, path: path)
        var entries: [ParameterEntry] = []
        var offset = 0, index = 0
        for layer in model.layers {
            for parameter in layer.parameters {
                let w = weights[index]
                entries.append(ParameterEntry(name: "\(layer.name)/\(parameter.name)", layer: layer.name, shape: w.shape,
                                              offset: offset, count: w.count, trainable: parameter.trainable))
                offset += w.count * 4
                index += 1
            }
        }
        var data: [UInt8] = []
        data.reserveCapacity(offset)
        for w in weights {
            w.withUnsafeBufferPointer { buffer in
                for x in buffer { LittleEndian.append(x.bitPattern, to: &data) }
            }
        }
        let architecture = Architecture(name: model.name, inputShape: model.inputShape, layers: model.specs)
        return try envelope(formatVersion, architecture: architecture, parameters: entries, metadata: metadata, data: data, path: path)
    }

    /// Magic, version, the JSON header (space-padded so the data starts on a 16-byte boundary), `data`, CRC-32:
    /// the layout both formats share.
    static func envelope(_ version: UInt32, architecture: Architecture, quantization: QuantizationSection? = nil,
                         parameters: [ParameterEntry], metadata: ModelMetadata, data: [UInt8], path: String) throws -> [UInt8] {
        var stored = metadata
        stored.formatVersion = Int(version)
        let header = Header(formatVersion: Int(version), model: architecture, quantization: quantization, parameters: parameters,
                            weightsBytes: data.count, metadata: stored)
        var json: [UInt8]
        do { json = Array(try jsonEncoder().encode(header)) } catch {
            throw ModelFileError(path: path, kind: .invalidMetadata, message: "cannot be written: \(error)")
        }
        json.append(0x0A)
        while (preambleSize + json.count) % 16 != 0 { json.append(0x20) }

        var bytes = magic
        bytes.reserveCapacity(preambleSize + json.count + data.count + 4)
        LittleEndian.append(version, to: &bytes)
        LittleEndian.append(UInt64(json.count), to: &bytes)
        bytes += json
        bytes += data
        LittleEndian.append(CRC32.checksum(bytes), to: &bytes)
        return bytes
    }

    // MARK: reading

    /// Reads a model file: the model with its saved weights (predictions bit-identical to the saved model's) and its metadata.
    public static func read(from url: URL) throws -> (model: Model, metadata: ModelMetadata) {
        try decode(readBytes(url), path: url.path)
    }

    static func readBytes(_ url: URL) throws -> [UInt8] {
        let path = url.path
        // Only a regular file: /dev/zero never ends, a FIFO blocks, a folder gives Foundation's error 256.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            let kind: String
            switch info.st_mode & S_IFMT {
            case S_IFDIR: kind = "a folder"
            case S_IFIFO: kind = "a FIFO (named pipe)"
            case S_IFCHR, S_IFBLK: kind = "a device"
            default: kind = "a special file"
            }
            throw ModelFileError(path: path, kind: .io, message: "is \(kind), not a model file")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            if !FileManager.default.fileExists(atPath: path) {
                throw ModelFileError(path: path, kind: .io, message: "does not exist")
            }
            throw ModelFileError(path: path, kind: .io, message: "cannot be read: \(error.localizedDescription)")
        }
        return [UInt8](data)
    }

    /// Reads only the metadata (and checks the file); cheaper to show than building the model.
    public static func readMetadata(from url: URL) throws -> ModelMetadata {
        try readAny(from: url).metadata
    }

    /// Reads a float32 or an int8 model file: what `predict` and `serve` load.
    public static func readAny(from url: URL) throws -> (model: LoadedModel, metadata: ModelMetadata) {
        try decodeAny(readBytes(url), path: url.path)
    }

    /// Decodes the bytes of a float32 model file. `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> (model: Model, metadata: ModelMetadata) {
        let (loaded, metadata) = try decodeAny(bytes, path: path)
        guard case .float32(let model) = loaded else {
            throw ModelFileError(path: path, kind: .invalidArchitecture,
                                 message: "holds an int8 model (format \(int8FormatVersion)); this reader needs a float32 model")
        }
        return (model, metadata)
    }

    /// Decodes the bytes of a float32 or int8 model file. `path` names the file in errors.
    public static func decodeAny(_ bytes: [UInt8], path: String) throws -> (model: LoadedModel, metadata: ModelMetadata) {
        func fail(_ kind: ModelFileError.Kind, _ message: String) -> ModelFileError {
            ModelFileError(path: path, kind: kind, message: message)
        }
        let size = bytes.count
        // Magic: a short prefix of it is a cut file, anything else is not ours.
        guard size > 0 else { throw fail(.notAModel, "is not a mnistbook model: the file is empty") }
        if size < magic.count {
            if magic.starts(with: bytes) {
                throw fail(.truncated, "is truncated: expected a \(preambleSize)-byte header, found \(size) bytes")
            }
            throw fail(.notAModel, "is not a mnistbook model: it does not start with \"MNISTBK\"")
        }
        guard Array(bytes[0..<magic.count]) == magic else {
            throw fail(.notAModel, "is not a mnistbook model: it does not start with \"MNISTBK\"")
        }
        guard size >= preambleSize else {
            throw fail(.truncated, "is truncated: expected a \(preambleSize)-byte header, found \(size) bytes")
        }
        let version: UInt32 = LittleEndian.read(bytes, at: 8)
        if version > int8FormatVersion {
            throw fail(.newerFormat, "was written by a newer mnistbook (format \(version)); this build reads formats 1 and \(int8FormatVersion)")
        }
        guard version >= 1 else { throw fail(.corrupt, "is corrupt: format version 0 does not exist") }
        let jsonLength64: UInt64 = LittleEndian.read(bytes, at: 12)
        let available = size - preambleSize
        guard jsonLength64 <= UInt64(available) else {
            throw fail(.truncated, "is truncated: expected \(jsonLength64) bytes of architecture JSON, found \(available)")
        }
        let jsonLength = Int(jsonLength64)
        let weightsStart = preambleSize + jsonLength

        // The checksum is the file's last 4 bytes when the file is whole.
        let intact = size >= weightsStart + 4
            && CRC32.checksum(bytes[0..<(size - 4)]) == (LittleEndian.read(bytes, at: size - 4) as UInt32)
        let parsed = Result { try JSONDecoder.snakeCase.decode(Header.self, from: Data(bytes[preambleSize..<weightsStart])) }

        if !intact {
            // A whole-looking header whose weights do not fit is a cut file; anything else is damage.
            if case .success(let header) = parsed, header.weightsBytes >= 0 {
                let found = size - weightsStart
                if found < header.weightsBytes {
                    throw fail(.truncated, "is truncated: expected \(header.weightsBytes) bytes of weights, found \(found)")
                }
                if found - header.weightsBytes < 4 {
                    throw fail(.truncated, "is truncated: expected a 4-byte CRC-32 after the weights, found \(found - header.weightsBytes) bytes")
                }
            }
            throw fail(.corrupt, "is corrupt: its CRC-32 checksum does not match its contents")
        }

        let header: Header
        switch parsed {
        case .success(let h): header = h
        case .failure(let error):
            // A damaged quantization section is the int8 model's fault, not the architecture's.
            let inQuantization = (error as? DecodingError).map(codingPath)?.first?.stringValue == "quantization"
            throw fail(.invalidArchitecture, (inQuantization ? "has an invalid int8 model: " : "has an invalid architecture: ") + describe(error))
        }
        if header.formatVersion != Int(version) {
            throw fail(.invalidArchitecture, "has an invalid architecture: the JSON says format \(header.formatVersion), the header \(version)")
        }
        let weightsBytes = size - weightsStart - 4
        guard header.weightsBytes == weightsBytes else {
            throw fail(.invalidArchitecture, "has an invalid architecture: the JSON announces \(header.weightsBytes) bytes of weights, the file holds \(weightsBytes)")
        }

        // The architecture is held to the same rules as a notebook's build step, before anything is allocated.
        let plan: ArchitecturePlan
        do {
            plan = try checkArchitecture(inputShape: header.model.inputShape, layers: header.model.layers)
        } catch {
            throw fail(.invalidArchitecture, "has an invalid architecture: \(error)")
        }
        if let problem = metadataProblem(header.metadata, architecture: header.model) {
            throw fail(.invalidMetadata, "has invalid metadata: \(problem)")
        }
        // Int8 weights take a byte each: the same rule as float32's below, counted in bytes. Batch norms fold away,
        // so only an architecture needing far more than the file holds is refused before the reference model is built.
        if version == int8FormatVersion {
            if plan.parameterCount / 2 > weightsBytes + (1 << 20) {
                throw fail(.shapeMismatch, "does not match its architecture: it needs about \(groupDigits(plan.parameterCount)) int8 weights, "
                           + "the file holds \(groupDigits(weightsBytes)) bytes")
            }
            return (.int8(try decodeInt8(header, weights: bytes[weightsStart..<(size - 4)], path: path)), header.metadata)
        }
        // An architecture that needs far more weights than the file holds is refused before the model is
        // allocated; a near miss is named parameter by parameter below.
        if plan.parameterCount / 2 > weightsBytes / 4 + (1 << 20) {
            throw fail(.shapeMismatch, "does not match its architecture: it needs \(groupDigits(plan.parameterCount)) parameters, "
                       + "the file holds \(groupDigits(weightsBytes / 4))")
        }

        let model: Model
        do {
            model = try Model(name: header.model.name, inputShape: header.model.inputShape, layers: header.model.layers,
                              seed: header.metadata.seed)
        } catch {
            throw fail(.invalidArchitecture, "has an invalid architecture: \(error)")
        }

        // The parameter table must list exactly the model's parameters, in order, with their shapes.
        var expected: [(name: String, shape: [Int])] = []
        for layer in model.layers {
            for p in layer.parameters { expected.append(("\(layer.name)/\(p.name)", p.value.shape)) }
        }
        guard header.parameters.count == expected.count else {
            throw fail(.shapeMismatch, "does not match its architecture: it has \(header.parameters.count) parameter tensors, the architecture needs \(expected.count)")
        }
        var weights: [Tensor] = []
        weights.reserveCapacity(expected.count)
        for (entry, want) in zip(header.parameters, expected) {
            guard entry.name == want.name else {
                throw fail(.shapeMismatch, "does not match its architecture: parameter '\(entry.name)' is where the architecture needs '\(want.name)'")
            }
            guard entry.shape == want.shape else {
                throw fail(.shapeMismatch, "does not match its architecture: parameter '\(entry.name)' has shape \(format(entry.shape)), the architecture needs \(format(want.shape))")
            }
            let count = want.shape.reduce(1, *)
            guard entry.count == count, entry.offset >= 0, entry.offset % 4 == 0, entry.offset <= weightsBytes - 4 * count else {
                throw fail(.shapeMismatch, "does not match its architecture: parameter '\(entry.name)' (offset \(entry.offset), \(entry.count) values) does not fit its shape \(format(want.shape)) or the \(weightsBytes) bytes of weights")
            }
            var scalars = [Float](repeating: 0, count: count)
            let base = weightsStart + entry.offset
            for i in 0..<count { scalars[i] = Float(bitPattern: LittleEndian.read(bytes, at: base + 4 * i)) }
            // A NaN or infinite weight gives NaN probabilities for every image: refuse it here, naming it.
            if let bad = scalars.firstIndex(where: { !$0.isFinite }) {
                throw fail(.nonFiniteWeights, "has a non-finite weight: '\(entry.name)' holds \(scalars[bad]) at index \(bad)")
            }
            weights.append(Tensor(shape: want.shape, scalars: scalars))
        }
        model.setWeights(weights)
        return (.float32(model), header.metadata)
    }

    // MARK: the JSON header

    /// Both formats' JSON header; only int8 files (format 2) have a `quantization` section.
    struct Header: Codable {
        var format = "mnistbook"
        var formatVersion: Int
        var model: Architecture
        var quantization: QuantizationSection?
        var parameters: [ParameterEntry]
        var weightsBytes: Int
        var checksum = "crc32"
        var metadata: ModelMetadata
    }

    struct Architecture: Codable {
        var name: String
        var inputShape: [Int]
        var layers: [LayerSpec]
    }

    struct ParameterEntry: Codable {
        var name: String
        var layer: String
        var shape: [Int]
        var dtype = "float32"
        /// Bytes from the start of the weights section.
        var offset: Int
        var count: Int
        var trainable: Bool

        init(name: String, layer: String, shape: [Int], offset: Int, count: Int, trainable: Bool) {
            self.name = name; self.layer = layer; self.shape = shape
            self.offset = offset; self.count = count; self.trainable = trainable
        }
    }

    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    // MARK: checks shared with the ONNX export

    static func checkWeights(_ weights: [Tensor], of model: Model, path: String) throws {
        var expected: [(String, [Int])] = []
        for layer in model.layers {
            for p in layer.parameters { expected.append(("\(layer.name)/\(p.name)", p.value.shape)) }
        }
        guard weights.count == expected.count else {
            throw ModelFileError(path: path, kind: .shapeMismatch,
                                 message: "cannot be written: \(weights.count) weight tensors for a model with \(expected.count) parameters")
        }
        for (w, (name, shape)) in zip(weights, expected) where w.shape != shape {
            throw ModelFileError(path: path, kind: .shapeMismatch,
                                 message: "cannot be written: weights for '\(name)' have shape \(format(w.shape)), the model needs \(format(shape))")
        }
    }

    static func checkMetadata(_ metadata: ModelMetadata, of model: Model, path: String) throws {
        guard metadata.inputShape == model.inputShape else {
            throw ModelFileError(path: path, kind: .invalidMetadata,
                                 message: "cannot be written: the metadata's input shape is \(format(metadata.inputShape)), the model takes \(format(model.inputShape))")
        }
        guard metadata.classNames.count == model.classes else {
            throw ModelFileError(path: path, kind: .invalidMetadata,
                                 message: "cannot be written: \(metadata.classNames.count) class names for a model with \(model.classes) outputs")
        }
    }

    /// What in the metadata does not fit the architecture it describes, or nil.
    static func metadataProblem(_ metadata: ModelMetadata, architecture: Architecture) -> String? {
        if metadata.inputShape != architecture.inputShape {
            return "its input shape is \(format(metadata.inputShape)), the architecture's is \(format(architecture.inputShape))"
        }
        if case let .dense(name, units, _, _)? = architecture.layers.last, metadata.classNames.count != units {
            return "\(metadata.classNames.count) class names for an output layer '\(name)' of \(units) units"
        }
        let p = metadata.preprocessing
        if !p.scale.isFinite || !p.shift.isFinite || p.scale == 0 {
            return "the preprocessing x · \(p.scale) + \(p.shift) is not a usable transformation"
        }
        return nil
    }

    static func format(_ shape: [Int]) -> String { shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×") }

    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let path = codingPath(error)
        let at = path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        switch error {
        case .dataCorrupted(let c): return "the JSON header is not valid JSON\(at): \(c.debugDescription)"
        case .keyNotFound(let key, _): return "missing '\(key.stringValue)'\(at)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(c.debugDescription)\(at)"
        @unknown default: return "\(error)"
        }
    }

    /// Where in the JSON a decoding error is.
    static func codingPath(_ error: DecodingError) -> [CodingKey] {
        switch error {
        case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c): return c.codingPath
        @unknown default: return []
        }
    }
}

/// Why a model file cannot be read or written. The text always starts with the file's path.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// Not a mnistbook model (wrong magic bytes).
        case notAModel
        /// The file ends early.
        case truncated
        /// The checksum does not match.
        case corrupt
        /// Written by a newer mnistbook with a format this build cannot read.
        case newerFormat
        /// The JSON header or the architecture in it cannot be used.
        case invalidArchitecture
        /// The parameter table or the weights do not fit the architecture.
        case shapeMismatch
        /// The metadata does not fit the model.
        case invalidMetadata
        /// A weight is NaN or infinite.
        case nonFiniteWeights
        /// The file cannot be opened, read or written.
        case io
    }

    public let path: String
    public let kind: Kind
    /// The text after the path.
    public let message: String

    public init(path: String, kind: Kind, message: String) {
        self.path = path
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(path) \(message)" }
}

// MARK: - helpers

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

/// Fixed-width integers in little-endian byte order, whatever the machine's.
enum LittleEndian {
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { bytes += $0 }
    }

    static func read<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(bytes[offset + i]) << (8 * i) }
        return v
    }
}

/// CRC-32 as zlib, PNG and gzip compute it (IEEE 802.3, reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF).
/// crc32("123456789") = 0xCBF43926.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        let table = self.table
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
