import NeuralNet
import Tensor
import Notebook

/// Turns `build.layers` after validation (maps with `type`, `name` and every parameter of the type)
/// into the engine's layer specs. Validation has checked every type and value, so a miss here is a
/// programming error, not a user's.
func layerSpecs(_ layers: [[String: ParamValue]]) -> [NeuralNet.LayerSpec] {
    layers.map(layerSpec)
}

func layerSpec(_ layer: [String: ParamValue]) -> NeuralNet.LayerSpec {
    func int(_ key: String) -> Int {
        guard let v = layer[key]?.intValue else { preconditionFailure("validated layer without integer '\(key)'") }
        return v
    }
    func float(_ key: String) -> Float {
        guard let v = layer[key]?.doubleValue else { preconditionFailure("validated layer without number '\(key)'") }
        return Float(v)
    }
    func string(_ key: String) -> String {
        guard let v = layer[key]?.stringValue else { preconditionFailure("validated layer without string '\(key)'") }
        return v
    }
    func activation() -> ActivationFunction {
        guard let f = ActivationFunction(rawValue: string("activation")) else {
            preconditionFailure("validated layer with unknown activation")
        }
        return f
    }
    let name = string("name")
    switch string("type") {
    case "conv2d":
        return .conv2d(name: name, filters: int("filters"), kernel: int("kernel"), stride: int("strides"),
                       padding: string("padding") == "valid" ? .valid : .same, activation: activation(),
                       useBias: layer["use_bias"]?.boolValue ?? true)
    case "batchnorm":
        return .batchnorm(name: name, momentum: float("momentum"), epsilon: float("epsilon"))
    case "maxpool":
        return .maxpool(name: name, pool: int("pool"), strides: layer["strides"]?.intValue,
                        padding: string("padding") == "same" ? .same : nil)
    case "residual":
        return .residual(name: name, filters: int("filters"), kernel: int("kernel"), strides: int("strides"))
    case "global_avg_pool":
        return .globalAvgPool(name: name)
    case "flatten":
        return .flatten(name: name)
    case "dense":
        return .dense(name: name, units: int("units"), activation: activation(), useBias: layer["use_bias"]?.boolValue ?? true)
    case "dropout":
        return .dropout(name: name, rate: float("rate"))
    case let other:
        preconditionFailure("validated layer of unknown type '\(other)'")
    }
}

/// NeuralNet's one architecture check (bounds, shapes, the output layer, the memory it needs, for
/// training with `batchSize` when given), without allocating any weights; throws the first layer that
/// does not fit, naming it.
@discardableResult
func checkLayerShapes(_ specs: [NeuralNet.LayerSpec], inputShape: [Int], classes: Int?,
                      batchSize: Int? = nil) throws(LayerProblem) -> ArchitecturePlan {
    do {
        return try checkArchitecture(inputShape: inputShape, layers: specs, classes: classes, batchSize: batchSize)
    } catch {
        throw LayerProblem(layer: error.layer, message: error.message)
    }
}

/// A layer stack that does not fit, naming the layer; worded like the engine's `ShapeError`.
struct LayerProblem: Error, CustomStringConvertible {
    var layer: String
    var message: String
    var description: String { layer.isEmpty ? message : "layer '\(layer)': \(message)" }
}
