/// Deterministic values in [0, 2) (multiples of 0.001) from a linear congruential generator: the same inputs on every machine.
func uniformValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2000) / 1000
    }
}
