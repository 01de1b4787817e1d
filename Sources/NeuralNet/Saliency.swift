import Tensor

extension Model {
    /// Every layer's output at inference, in layer order.  x: [N, H, W, C] → one [N, …outputShape] per layer
    public func layerOutputs(_ x: Tensor) -> [Tensor] {
        var outputs: [Tensor] = []
        outputs.reserveCapacity(layers.count)
        var h = x
        for layer in layers {
            h = layer.forward(h, training: false)
            outputs.append(h)
        }
        return outputs
    }

    /// Vanilla saliency (Simonyan et al. 2014): the gradient of a class score with respect to the input pixels,
    /// through the layers' own backward passes at inference. The score is the output layer's pre-softmax value
    /// (softmax would mix in every other class); the class is `classes[i]`, or the predicted one when nil.
    /// x: [N, H, W, C] → predicted: [N], gradient: [N, H, W, C]
    public func saliency(_ x: Tensor, classes chosen: [Int]? = nil) -> (predicted: [Int], gradient: Tensor) {
        let head = layers.last as! Dense
        let h = layers.dropLast().reduce(x) { $1.traceForward($0) }
        let logits = head.logits(h, training: false)             // [N, classes]
        let predicted = logits.argmaxRows()
        let n = x.shape[0], k = self.classes
        let target = chosen ?? predicted
        precondition(target.count == n && target.allSatisfy { (0..<k).contains($0) }, "saliency: one class in 0..<\(k) per image")
        var oneHot = [Float](repeating: 0, count: n * k)
        for (i, c) in target.enumerated() { oneHot[i * k + c] = 1 }
        let g = head.traceBackward(logitsGradient: Tensor(shape: [n, k], scalars: oneHot))
        return (predicted, layers.dropLast().reversed().reduce(g) { $1.traceBackward($0) })
    }
}
