import Notebook
import Tensor

/// The layer types of `build.layers`: their parameters, Keras class names and automatic names.
/// A new layer type goes here (its schema), in `LayerConversion.swift` (schema → engine spec)
/// and in NeuralNet (the layer itself).
public enum LayerSchema {
    static let activations = [ActivationFunction.relu, .softmax, .sigmoid, .tanh, .linear].map(\.rawValue)

    public static let layers: [LayerSpec] = [
        LayerSpec(type: "conv2d", kerasClass: "Conv2D", autoNamePrefix: "conv2d", summary: "2-D convolution", parameters: [
            ParameterSpec("filters", .int(.size(upTo: 4096)), required: true, doc: "output channels"),
            ParameterSpec("kernel", .int(.size(upTo: 64)), default: 3, doc: "square kernel size"),
            ParameterSpec("strides", .int(.size(upTo: 64)), default: 1, doc: "step between windows, at most the input size"),
            ParameterSpec("padding", .choice(["same", "valid"]), default: "same", doc: "same keeps the size, valid shrinks it"),
            ParameterSpec("activation", .choice(activations), default: "linear", doc: "activation after the convolution"),
            ParameterSpec("use_bias", .bool, default: true, doc: "add a bias per filter"),
            layerName,
        ]),
        LayerSpec(type: "batchnorm", kerasClass: "BatchNormalization", autoNamePrefix: "batch_normalization",
                  summary: "batch normalization", parameters: [
            ParameterSpec("momentum", .double(.openUnit), default: 0.99, doc: "moving-average momentum"),
            ParameterSpec("epsilon", .double(.positive), default: 0.001, doc: "added to the variance"),
            layerName,
        ]),
        LayerSpec(type: "maxpool", kerasClass: "MaxPooling2D", autoNamePrefix: "max_pooling2d", summary: "2-D max pooling",
                  parameters: [
            ParameterSpec("pool", .int(.size(upTo: 64)), default: 2, doc: "square window size"),
            ParameterSpec("strides", .int(.size(upTo: 64)), defaultText: "pool", doc: "step between windows, at most the input size"),
            ParameterSpec("padding", .choice(["valid", "same"]), default: "valid", doc: "valid drops the edge, same pads it"),
            layerName,
        ]),
        LayerSpec(type: "residual", kerasClass: "ResidualBlock", autoNamePrefix: "residual",
                  summary: "ResNet v1 basic block: two convolutions with batch norm, plus a skip connection", parameters: [
            ParameterSpec("filters", .int(.size(upTo: 4096)), required: true, doc: "output channels"),
            ParameterSpec("kernel", .int(.size(upTo: 64)), default: 3, doc: "square kernel size of both convolutions"),
            ParameterSpec("strides", .int(.size(upTo: 64)), default: 1,
                          doc: "stride of the first convolution and the shortcut, at most the input size"),
            layerName,
        ]),
        LayerSpec(type: "global_avg_pool", kerasClass: "GlobalAveragePooling2D", autoNamePrefix: "global_average_pooling2d",
                  summary: "mean of each channel over the image", parameters: [layerName]),
        LayerSpec(type: "flatten", kerasClass: "Flatten", autoNamePrefix: "flatten", summary: "flatten to a vector",
                  parameters: [layerName]),
        LayerSpec(type: "dense", kerasClass: "Dense", autoNamePrefix: "dense", summary: "fully connected layer", parameters: [
            ParameterSpec("units", .int(.size(upTo: 65_536)), required: true, doc: "output units"),
            ParameterSpec("activation", .choice(activations), default: "linear", doc: "activation"),
            ParameterSpec("use_bias", .bool, default: true, doc: "add a bias per unit"),
            layerName,
        ]),
        LayerSpec(type: "dropout", kerasClass: "Dropout", autoNamePrefix: "dropout", summary: "dropout while training",
                  parameters: [
            ParameterSpec("rate", .double(.halfOpenUnit), required: true, doc: "fraction of inputs dropped"),
            layerName,
        ]),
    ]

    static let layerName = ParameterSpec("name", .string, defaultText: "auto",
                                         doc: "layer name; unnamed layers get Keras names (conv2d, conv2d_1, …)")

    /// The reference CNN of PRODUCT.md, named as in the Keras summary (459,210 parameters).
    public static let referenceLayers: ParamValue = {
        let schema = Schema(stages: [], layers: layers)
        return .list([
            schema.completeLayer("conv2d", ["filters": 32, "kernel": 3, "padding": "same", "activation": "relu", "name": "conv1"]),
            schema.completeLayer("batchnorm", ["name": "bn1"]),
            schema.completeLayer("maxpool", ["pool": 2, "name": "pool1"]),
            schema.completeLayer("conv2d", ["filters": 64, "kernel": 3, "padding": "same", "activation": "relu", "name": "conv2"]),
            schema.completeLayer("batchnorm", ["name": "bn2"]),
            schema.completeLayer("maxpool", ["pool": 2, "name": "pool2"]),
            schema.completeLayer("conv2d", ["filters": 64, "kernel": 3, "padding": "same", "activation": "relu", "name": "conv3"]),
            schema.completeLayer("batchnorm", ["name": "bn3"]),
            schema.completeLayer("flatten", ["name": "flatten"]),
            schema.completeLayer("dense", ["units": 128, "activation": "relu", "name": "dense1"]),
            schema.completeLayer("dropout", ["rate": 0.5, "name": "dropout"]),
            schema.completeLayer("dense", ["units": 10, "activation": "softmax", "name": "output"]),
        ])
    }()
}
