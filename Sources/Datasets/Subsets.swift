// Smaller sets for quick runs and the Keras-style validation split.
import NeuralNet
import Tensor

extension LabeledImages {
    /// A stratified subset of `n` images: every class keeps a share proportional to its size and at
    /// least one image (when `n` allows), picked at random but reproducibly from `seed`.
    /// The chosen images keep their original order. `n >= count` returns everything.
    public func limited(to n: Int, seed: UInt64) -> LabeledImages {
        guard n < count else { return self }
        guard n > 0 else { return subset([]) }

        var byClass = [[Int]](repeating: [], count: 256)
        for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
        let present = byClass.indices.filter { !byClass[$0].isEmpty }

        var quota = [Int](repeating: 0, count: 256)
        if n <= present.count {
            // Too few to cover every class: one image each for the first n classes.
            for c in present.prefix(n) { quota[c] = 1 }
        } else {
            // One image per class first, the rest split by the classes' remaining sizes
            // with largest remainders, so the shares add up to exactly n.
            let spare = n - present.count
            let pool = count - present.count
            var remainders: [(remainder: Int, cls: Int)] = []
            var given = 0
            for c in present {
                let share = spare * (byClass[c].count - 1)
                quota[c] = 1 + share / pool
                given += quota[c]
                remainders.append((share % pool, c))
            }
            remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.cls < $1.cls }
            for r in remainders.prefix(n - given) { quota[r.cls] += 1 }
        }

        var rng = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        chosen.reserveCapacity(n)
        for c in present where quota[c] > 0 {
            // Partial Fisher-Yates: the first quota[c] entries become a uniform random sample.
            var members = byClass[c]
            for i in 0..<quota[c] {
                let j = i + rng.next(below: members.count - i)
                members.swapAt(i, j)
            }
            chosen.append(contentsOf: members.prefix(quota[c]))
        }
        chosen.sort()
        return subset(chosen)
    }

    /// Keras' `validation_split`: the last `validationFraction` of the images, unshuffled, become validation.
    public func split(validationFraction: Double) -> (train: LabeledImages, validation: LabeledImages) {
        let at = validationCut(count: count, fraction: validationFraction)
        return (range(0..<at), range(at..<count))
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        let size = pixelsPerImage
        var pixels = [UInt8]()
        pixels.reserveCapacity(indices.count * size)
        var newLabels = [UInt8]()
        newLabels.reserveCapacity(indices.count)
        for i in indices {
            pixels.append(contentsOf: images[(i * size)..<((i + 1) * size)])
            newLabels.append(labels[i])
        }
        return LabeledImages(images: pixels, labels: newLabels, rows: rows, cols: cols)
    }

    private func range(_ r: Range<Int>) -> LabeledImages {
        let size = pixelsPerImage
        return LabeledImages(images: Array(images[(r.lowerBound * size)..<(r.upperBound * size)]),
                             labels: Array(labels[r]), rows: rows, cols: cols)
    }
}
