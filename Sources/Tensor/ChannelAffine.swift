/// Per-channel scale and shift over the last axis, for batch norms folded into the layer before them.
extension Tensor {
    /// y[…, c] = x[…, c] · scale[c] + shift[c]; a nil scale is 1, a nil shift is 0.  x: [N, …, C], scale, shift: [C]
    public func channelAffine(scale: Tensor?, shift: Tensor?) -> Tensor {
        let c = shape.last ?? 1
        precondition(scale.map { $0.count == c } ?? true && shift.map { $0.count == c } ?? true,
                     "channelAffine: \(c) channels, scale \(scale?.shape ?? []), shift \(shift?.shape ?? [])")
        guard scale != nil || shift != nil else { return self }
        let y = Tensor(uninitialized: shape)
        let x = pointer, out = y.pointer
        let s = scale?.pointer, t = shift?.pointer
        for row in 0..<(count / max(c, 1)) {
            let base = row * c
            for j in 0..<c {
                out[base + j] = x[base + j] * (s?[j] ?? 1) + (t?[j] ?? 0)
            }
        }
        return y
    }
}
