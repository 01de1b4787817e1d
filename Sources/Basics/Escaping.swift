extension String {
    /// This text with each scalar that `table` names replaced by its entry and any other by what `other`
    /// gives for it (nil keeps the scalar, "" drops it). JSON's and HTML's escapes are this walk with
    /// their own tables (Notebook's `jsonString`, Report's `escapeHTML`).
    public func escaped(_ table: [Unicode.Scalar: String], other: (Unicode.Scalar) -> String? = { _ in nil }) -> String {
        var out = ""
        out.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            if let replacement = table[scalar] ?? other(scalar) {
                out += replacement
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
