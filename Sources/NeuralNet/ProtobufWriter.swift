/// The few protocol-buffers encodings the ONNX export needs (proto2 wire format): varints,
/// little-endian fixed32 floats and length-delimited bytes, strings and nested messages.
/// Fields are written in the order they are added; repeated scalars are written unpacked,
/// one tag each, as proto2 declares them (every protobuf parser reads both forms).
struct ProtobufWriter {
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wire: WireType) {
        varint(UInt64(field) << 3 | wire.rawValue)
    }

    /// int32, int64 and enum fields; negative values take ten bytes, as protobuf encodes them.
    mutating func int(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func int(_ field: Int, _ value: Int) { int(field, Int64(value)) }

    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        LittleEndian.append(value.bitPattern, to: &bytes)
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// A nested message built by `body`.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    /// Floats as little-endian IEEE 754 bytes (ONNX's `raw_data`).
    static func rawBytes(_ values: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 4)
        for v in values { LittleEndian.append(v.bitPattern, to: &out) }
        return out
    }
}
