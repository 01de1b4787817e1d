/// The eight stages, their parameters and defaults (PRODUCT.md section 2), and the layer types.
///
/// The schema is data so that validation, `mnistbook steps` and the defaults all read one table.
public enum StageSchema {
    public static let activations = ["relu", "softmax", "sigmoid", "tanh", "linear"]
    public static let monitors = ["val_loss", "val_accuracy", "loss", "accuracy"]
    /// Dataset names the catalog knows; any other `dataset` value is a directory of IDX files.
    public static let datasets = ["mnist", "fashion-mnist", "kmnist"]

    /// All stages in lifecycle order.
    public static let stages: [StageSpec] = [
        StageSpec(name: "load", summary: "Read the dataset and split off the validation set.", parameters: [
            ParameterSpec("dataset", .string, default: "mnist",
                          doc: "mnist, fashion-mnist, kmnist, or a directory of IDX files"),
            ParameterSpec("validation_split", .double(.halfOpenUnit), default: 0.2,
                          doc: "fraction of the training set held out for validation, taken from its end as Keras does"),
            ParameterSpec("limit_train", .int(.size(upTo: 100_000_000)), defaultText: "all",
                          doc: "use only the first N training images"),
            ParameterSpec("limit_test", .int(.size(upTo: 100_000_000)), defaultText: "all",
                          doc: "use only the first N test images"),
        ]),
        StageSpec(name: "eda", summary: "Explore the data: class balance, pixel statistics, samples.", parameters: [
            ParameterSpec("samples", .int(.count(upTo: 1000)), default: 25, doc: "images in the sample grid"),
            ParameterSpec("mean_images", .bool, default: true, doc: "show the mean image of each class"),
        ]),
        StageSpec(name: "preprocess", summary: "Scale the pixels and encode the labels.", parameters: [
            ParameterSpec("normalize", .choice(["scale", "standardize", "none"]), default: "scale",
                          doc: "scale: x/255; standardize: zero mean, unit variance; none: raw 0-255"),
            ParameterSpec("one_hot", .bool, default: true, doc: "one-hot encode the labels"),
        ]),
        StageSpec(name: "build", summary: "Build the model and show its summary and architecture diagram.", parameters: [
            ParameterSpec("name", .string, default: "MNIST_CNN", doc: "model name shown in the summary"),
            ParameterSpec("layers", .layers, default: referenceLayers, defaultText: "reference CNN",
                          doc: "layer stack, each item '- type: {parameters}'; see Layers below"),
            ParameterSpec("diagram", .map([
                ParameterSpec("rankdir", .choice(["TB", "LR"]), default: "TB", doc: "diagram direction: top-bottom or left-right"),
                ParameterSpec("show_shapes", .bool, default: true, doc: "label layers with their output shapes"),
            ], canDisable: false), default: ["rankdir": "TB", "show_shapes": true], doc: "architecture diagram options"),
        ]),
        StageSpec(name: "tune", summary: "Search build and train parameters as Keras Tuner does; the best values go to the steps after it.",
                  parameters: [
            ParameterSpec("objective", .choice(["val_accuracy", "val_loss"]), default: "val_accuracy",
                          doc: "what a trial is judged by: its best epoch's value"),
            ParameterSpec("strategy", .choice(["random", "grid", "hyperband"]), default: "random",
                          doc: "Keras Tuner's RandomSearch, GridSearch or Hyperband"),
            ParameterSpec("max_trials", .int(NumberRange(lower: 1, upper: 500)), default: 10, doc: "random: trials to run"),
            ParameterSpec("epochs", .int(NumberRange(lower: 1, upper: 1000)), default: 3, doc: "random and grid: epochs per trial"),
            ParameterSpec("max_epochs", .int(NumberRange(lower: 1, upper: 243)), default: 9,
                          doc: "hyperband: epochs of the longest trial"),
            ParameterSpec("factor", .int(NumberRange(lower: 2, upper: 10)), default: 3,
                          doc: "hyperband: 1/factor of the trials go on to the next round"),
            ParameterSpec("space", .space, required: true,
                          doc: "what to search: 'train.param' or 'build.layer.param' → [values] or {uniform|log_uniform: [low, high]}"),
            ParameterSpec("apply", .bool, default: true, doc: "the following build and train use the best values"),
        ]),
        StageSpec(name: "train", summary: "Fit the model, with Keras-style callbacks.", parameters: [
            ParameterSpec("optimizer", .choice(["adam", "sgd", "rmsprop"]), default: "adam", doc: "optimizer"),
            ParameterSpec("learning_rate", .double(.positive), default: 0.001, doc: "initial learning rate"),
            ParameterSpec("momentum", .double(.nonNegative), default: 0.0, doc: "momentum for sgd (and rmsprop)"),
            ParameterSpec("batch_size", .int(.size(upTo: 65_536)), default: 64, doc: "images per step"),
            ParameterSpec("epochs", .int(.size(upTo: 10_000)), default: 20, doc: "maximum number of epochs"),
            ParameterSpec("shuffle", .bool, default: true, doc: "shuffle the training set every epoch"),
            ParameterSpec("precision", .choice(["float32", "mixed_bfloat16"]), default: "float32",
                          doc: "mixed_bfloat16: convolutions in bf16 on CPUs that have it (weights, statistics, loss, optimizer in float32)"),
            ParameterSpec("early_stopping", .map(earlyStopping, canDisable: true),
                          default: .map(defaultValues(of: earlyStopping)),
                          doc: "stop when the monitored value stops improving; false to disable"),
            ParameterSpec("reduce_lr_on_plateau", .map(reduceLROnPlateau, canDisable: true),
                          default: .map(defaultValues(of: reduceLROnPlateau)),
                          doc: "multiply the learning rate by factor on a plateau; false to disable"),
            ParameterSpec("model_checkpoint", .map(modelCheckpoint, canDisable: true),
                          default: .map(defaultValues(of: modelCheckpoint)),
                          doc: "keep the best model seen; false to disable"),
        ]),
        StageSpec(name: "evaluate", summary: "Score the model: loss, accuracy, confusion matrix, classification report.", parameters: [
            ParameterSpec("split", .choice(["test", "validation"]), default: "test", doc: "which split to evaluate on"),
        ]),
        StageSpec(name: "error-analysis", summary: "Look at the mistakes: misclassified images and most-confused pairs.", parameters: [
            ParameterSpec("show", .int(.count(upTo: 1000)), default: 25, doc: "misclassified images in the grid"),
            ParameterSpec("top_confusions", .int(.count(upTo: 1000)), default: 10, doc: "most-confused class pairs listed"),
        ]),
        StageSpec(name: "save", summary: "Write the model files and check them with an inference demo.", parameters: [
            ParameterSpec("name", .string, default: "mnist_cnn", doc: "file name stem of the saved model"),
            ParameterSpec("formats", .list(.choice(["mnistbook", "onnx"])), default: ["mnistbook", "onnx"],
                          doc: "formats to write"),
            ParameterSpec("demo", .int(.count(upTo: 1000)), default: 10,
                          doc: "test images the reloaded model predicts"),
            ParameterSpec("demo_pad", .bool, default: true,
                          doc: "a digit pad in the report: draw a digit, the page runs the model (int8 weights)"),
        ]),
    ]

    static let earlyStopping: [ParameterSpec] = [
        ParameterSpec("monitor", .choice(monitors), default: "val_loss", doc: "value watched"),
        ParameterSpec("patience", .int(.count(upTo: 10_000)), default: 3, doc: "epochs without improvement before stopping"),
        ParameterSpec("min_delta", .double(.nonNegative), default: 0.0, doc: "smallest change that counts as improvement"),
        ParameterSpec("restore_best_weights", .bool, default: true, doc: "end with the best epoch's weights"),
    ]

    static let reduceLROnPlateau: [ParameterSpec] = [
        ParameterSpec("monitor", .choice(monitors), default: "val_loss", doc: "value watched"),
        ParameterSpec("factor", .double(.openUnit), default: 0.5, doc: "multiplier for the learning rate"),
        ParameterSpec("patience", .int(.count(upTo: 10_000)), default: 2, doc: "epochs without improvement before reducing"),
        ParameterSpec("min_lr", .double(.nonNegative), default: 1e-6, doc: "lower bound of the learning rate"),
    ]

    static let modelCheckpoint: [ParameterSpec] = [
        ParameterSpec("monitor", .choice(monitors), default: "val_accuracy", doc: "value watched"),
        ParameterSpec("save_best_only", .bool, default: true, doc: "keep only the best model"),
    ]

    /// Layer types for `build.layers`. Their size bounds are NeuralNet's `ArchitectureLimits` (a test keeps them equal).
    public static let layers: [LayerSpec] = [
        LayerSpec(type: "conv2d", kerasClass: "Conv2D", autoNamePrefix: "conv2d", summary: "2-D convolution", parameters: [
            ParameterSpec("filters", .int(.size(upTo: 4096)), required: true, doc: "output channels"),
            ParameterSpec("kernel", .int(.size(upTo: 64)), default: 3, doc: "square kernel size"),
            ParameterSpec("stride", .int(.size(upTo: 64)), default: 1, doc: "step between windows"),
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
            ParameterSpec("pool", .int(.size(upTo: 64)), default: 2, doc: "square window size and stride"),
            layerName,
        ]),
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
    public static let referenceLayers: ParamValue = .list([
        completeLayer("conv2d", ["filters": 32, "kernel": 3, "padding": "same", "activation": "relu", "name": "conv1"]),
        completeLayer("batchnorm", ["name": "bn1"]),
        completeLayer("maxpool", ["pool": 2, "name": "pool1"]),
        completeLayer("conv2d", ["filters": 64, "kernel": 3, "padding": "same", "activation": "relu", "name": "conv2"]),
        completeLayer("batchnorm", ["name": "bn2"]),
        completeLayer("maxpool", ["pool": 2, "name": "pool2"]),
        completeLayer("conv2d", ["filters": 64, "kernel": 3, "padding": "same", "activation": "relu", "name": "conv3"]),
        completeLayer("batchnorm", ["name": "bn3"]),
        completeLayer("flatten", ["name": "flatten"]),
        completeLayer("dense", ["units": 128, "activation": "relu", "name": "dense1"]),
        completeLayer("dropout", ["rate": 0.5, "name": "dropout"]),
        completeLayer("dense", ["units": 10, "activation": "softmax", "name": "output"]),
    ])

    /// Names of all stages in lifecycle order.
    public static let stageNames: [String] = stages.map(\.name)
    public static let layerTypes: [String] = layers.map(\.type)

    public static func spec(for stage: String) -> StageSpec? {
        stages.first { $0.name == stage }
    }

    public static func layerSpec(for type: String) -> LayerSpec? {
        layers.first { $0.type == type }
    }

    /// Stages that must appear earlier in the notebook than the key stage.
    public static let requirements: [String: [String]] = [
        "preprocess": ["load"],
        "eda": ["load"],
        "build": [],
        "tune": ["load", "build"],
        "train": ["load", "build"],
        "evaluate": ["train"],
        "error-analysis": ["train"],
        "save": ["train"],
    ]
}

/// A validated layer as a map: `type` plus every parameter of that type with defaults applied.
/// `name` is filled in later (Keras-style) when the user gave none.
func completeLayer(_ type: String, _ given: [String: ParamValue]) -> ParamValue {
    var values = StageSchema.layerSpec(for: type).map { defaultValues(of: $0.parameters) } ?? [:]
    values.merge(given) { _, new in new }
    values["type"] = .string(type)
    return .map(values)
}
