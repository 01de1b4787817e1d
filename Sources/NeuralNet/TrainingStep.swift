import Tensor

/// One step of the model's training passes (Model.computeGradients): a layer's own forward and backward, or a batch norm
/// and the 2×2 max pool after it as one fused step, which never writes the full-size normalised output nor its gradient
/// (Tensor/BatchNormMaxPooling.swift). The model's list of layers stays as it is: its parameters, summary and graphs.
enum TrainingStep {
    case layer(Layer)
    case batchNormPool(BatchNorm, MaxPool2D)

    /// `layers` in order, each batch norm paired with the max pool right after it when the fused kernels fit that pool.
    static func steps(_ layers: [Layer]) -> [TrainingStep] {
        var steps: [TrainingStep] = [], i = 0
        while i < layers.count {
            if let bn = layers[i] as? BatchNorm, i + 1 < layers.count, let pool = layers[i + 1] as? MaxPool2D,
               bn.kernel.fuses(pool.kernel) {
                steps.append(.batchNormPool(bn, pool))
                i += 2
            } else {
                steps.append(.layer(layers[i]))
                i += 1
            }
        }
        return steps
    }

    /// The layers this step runs, in order.
    var layers: [Layer] {
        switch self {
        case .layer(let layer): [layer]
        case .batchNormPool(let bn, let pool): [bn, pool]
        }
    }

    func forward(_ x: Tensor) -> Tensor {
        switch self {
        case .layer(let layer): layer.forward(x, training: true)
        case .batchNormPool(let bn, let pool): bn.forwardTraining(x, pooledBy: pool)
        }
    }

    func backward(_ dy: Tensor) -> Tensor {
        switch self {
        case .layer(let layer): layer.backward(dy)
        case .batchNormPool(let bn, let pool): bn.backward(pooled: dy, pool: pool)
        }
    }
}
