import Foundation

// Number and duration formatting shared by the page and the charts. Plain functions with a
// fixed POSIX locale so a report reads the same whatever machine renders it.

/// "0.42 s", "12.3 s", "2 min 05 s", "1 h 02 min".
func formatSeconds(_ s: Double) -> String {
    guard s.isFinite, s >= 0 else { return "–" }
    if s < 1 { return String(format: "%.2f s", s) }
    if s < 60 { return String(format: "%.1f s", s) }
    let total = Int(s.rounded())
    if total < 3600 { return String(format: "%d min %02d s", total / 60, total % 60) }
    return String(format: "%d h %02d min", total / 3600, (total % 3600) / 60)
}

/// "532 B", "18.4 KB", "1.8 MB" (decimal units, as file managers show them).
func formatBytes(_ n: Int) -> String {
    if n < 1000 { return "\(n) B" }
    let units = ["KB", "MB", "GB", "TB"]
    var v = Double(n) / 1000
    var i = 0
    while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
    let number = String(format: v < 10 ? "%.2f" : (v < 100 ? "%.1f" : "%.0f"), v)
    return "\(number) \(units[i])"
}

/// 1234567 → "1,234,567", as Keras prints parameter counts.
public func groupThousands(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}

/// A short value label for a chart: integers without decimals, others with 3 significant digits.
func formatValue(_ v: Double) -> String {
    guard v.isFinite else { return "" }
    if v == v.rounded() && abs(v) < 1e9 { return groupThousands(Int(v)) }
    let a = abs(v)
    if a >= 1e-3 && a < 1e6 {
        var s = String(format: "%.3g", v)
        if s.contains("e") { s = String(format: "%.0f", v) }
        return s
    }
    return String(format: "%.2g", v)
}

/// Whether a table cell holds a number ("0.9912", "1,234", "98.7%", "-3e-4"), so its column aligns right.
func looksNumeric(_ cell: String) -> Bool {
    var s = cell.trimmingCharacters(in: .whitespaces)
    if s.hasSuffix("%") { s.removeLast() }
    s = s.replacingOccurrences(of: ",", with: "")
    if s.isEmpty { return false }
    return Double(s) != nil
}
