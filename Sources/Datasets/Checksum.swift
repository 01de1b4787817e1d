// SHA-256 in lowercase hex, the form the catalog and the report use.
import Foundation
import Crypto

public enum Checksum {
    /// SHA-256 (swift-crypto) in lowercase hex.
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        hex(SHA256.hash(data: data))
    }

    static func hex<S: Sequence>(_ digest: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// "<path>: sha256 mismatch: expected …, got …" when they differ.
    static func verify(_ actual: String, expected: String?, path: String) throws {
        guard let expected, expected.lowercased() != actual else { return }
        throw DatasetError.file(path, "sha256 mismatch: expected \(expected), got \(actual)")
    }
}
