import Foundation

// Number formatting for tables and notes, with a fixed POSIX format so a report reads the
// same on every machine.

/// `x` with `digits` decimals; non-finite values print as Python does (nan, inf).
func fixed(_ x: Double, _ digits: Int) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%.\(digits)f", x)
}

/// 0.9912 → "99.12%".
func percent(_ x: Double, digits: Int = 2) -> String {
    fixed(x * 100, digits) + "%"
}

/// A tuple shape as NumPy and Keras print it: (48000, 28, 28, 1), (None, 10), (10,).
func tupleShape(_ dims: [String]) -> String {
    dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
}

func tupleShape(_ dims: [Int]) -> String {
    tupleShape(dims.map(String.init))
}

/// Keras' output-shape column: the batch axis is None.
func kerasShape(_ perSample: [Int]) -> String {
    tupleShape(["None"] + perSample.map(String.init))
}

/// A learning rate as Keras logs it, float32 to 6 significant digits: 0.001, 0.0005, 1e-06.
func learningRateText(_ x: Double) -> String {
    String(format: "%g", Double(Float(x)))
}

/// Seconds with a sensible precision: 0.042 s, 3.4 s, 125 s.
func secondsText(_ s: Double) -> String {
    if s < 1 { return String(format: "%.3f s", s) }
    if s < 100 { return String(format: "%.1f s", s) }
    return String(format: "%.0f s", s)
}
