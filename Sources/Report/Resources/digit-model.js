// The report's model, run by the page itself: a sequential CNN whose weights are embedded as int8 per output channel
// (w = q · scale) and whose other parameters are float32, all base64. One image at a time, channels last.
// The layers mirror Sources/NeuralNet: conv2d (TensorFlow "same"/"valid" padding), batchnorm (inference),
// maxpool (pool = stride, valid), flatten, dense, dropout (identity at inference).
(function () {
  "use strict";

  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function floats(b64) { var b = bytes(b64); return new Float32Array(b.buffer, 0, b.length / 4); }
  function int8s(b64) { var b = bytes(b64); return new Int8Array(b.buffer, 0, b.length); }

  // q: int8 weights with the output channel last; scales: one per output channel.
  function dequantize(q, scales) {
    var n = scales.length, w = new Float32Array(q.length);
    for (var i = 0; i < q.length; i++) w[i] = q[i] * scales[i % n];
    return w;
  }

  function activate(f, x) {
    var i;
    switch (f) {
      case "relu": for (i = 0; i < x.length; i++) if (x[i] < 0) x[i] = 0; return x;
      case "sigmoid": for (i = 0; i < x.length; i++) x[i] = 1 / (1 + Math.exp(-x[i])); return x;
      case "tanh": for (i = 0; i < x.length; i++) x[i] = Math.tanh(x[i]); return x;
      case "softmax":
        var m = -Infinity, s = 0;
        for (i = 0; i < x.length; i++) m = Math.max(m, x[i]);
        for (i = 0; i < x.length; i++) { x[i] = Math.exp(x[i] - m); s += x[i]; }
        for (i = 0; i < x.length; i++) x[i] /= s;
        return x;
      default: return x;
    }
  }

  // TensorFlow padding: the output is ceil(n / stride) for "same", extra padding at the bottom/right.
  function axis(n, k, stride, same) {
    if (!same) return { out: Math.floor((n - k) / stride) + 1, before: 0 };
    var out = Math.ceil(n / stride), total = Math.max((out - 1) * stride + k - n, 0);
    return { out: out, before: Math.floor(total / 2) };
  }

  var layers = {
    conv2d: function (L, x, shape) {
      var h = shape[0], w = shape[1], ci = shape[2], k = L.kernel, co = L.filters, s = L.stride;
      var ay = axis(h, k, s, L.padding === "same"), ax = axis(w, k, s, L.padding === "same");
      var W = L.w, b = L.b, y = new Float32Array(ay.out * ax.out * co), acc = new Float64Array(co);
      for (var oy = 0; oy < ay.out; oy++) {
        for (var ox = 0; ox < ax.out; ox++) {
          for (var o = 0; o < co; o++) acc[o] = b ? b[o] : 0;
          for (var ky = 0; ky < k; ky++) {
            var iy = oy * s + ky - ay.before;
            if (iy < 0 || iy >= h) continue;
            for (var kx = 0; kx < k; kx++) {
              var ix = ox * s + kx - ax.before;
              if (ix < 0 || ix >= w) continue;
              var xi = (iy * w + ix) * ci, wi = (ky * k + kx) * ci * co;
              for (var c = 0; c < ci; c++) {
                var v = x[xi + c];
                if (v === 0) continue;
                var row = wi + c * co;
                for (o = 0; o < co; o++) acc[o] += v * W[row + o];
              }
            }
          }
          var yi = (oy * ax.out + ox) * co;
          for (o = 0; o < co; o++) y[yi + o] = acc[o];
        }
      }
      return [activate(L.activation, y), [ay.out, ax.out, co]];
    },
    batchnorm: function (L, x, shape) {
      var c = shape[shape.length - 1];
      for (var i = 0; i < x.length; i++) {
        var j = i % c;
        x[i] = (x[i] - L.mean[j]) / Math.sqrt(L.variance[j] + L.epsilon) * L.gamma[j] + L.beta[j];
      }
      return [x, shape];
    },
    maxpool: function (L, x, shape) {
      var p = L.pool, c = shape[2], oh = Math.floor(shape[0] / p), ow = Math.floor(shape[1] / p);
      var y = new Float32Array(oh * ow * c);
      for (var oy = 0; oy < oh; oy++) for (var ox = 0; ox < ow; ox++) for (var k = 0; k < c; k++) {
        var m = -Infinity;
        for (var dy = 0; dy < p; dy++) for (var dx = 0; dx < p; dx++) m = Math.max(m, x[((oy * p + dy) * shape[1] + ox * p + dx) * c + k]);
        y[(oy * ow + ox) * c + k] = m;
      }
      return [y, [oh, ow, c]];
    },
    flatten: function (L, x) { return [x, [x.length]]; },
    dropout: function (L, x, shape) { return [x, shape]; },
    dense: function (L, x) {
      var n = x.length, u = L.units, W = L.w, y = new Float32Array(u), acc = new Float64Array(u);
      for (var o = 0; o < u; o++) acc[o] = L.b ? L.b[o] : 0;
      for (var i = 0; i < n; i++) {
        var v = x[i];
        if (v === 0) continue;
        for (o = 0; o < u; o++) acc[o] += v * W[i * u + o];
      }
      for (o = 0; o < u; o++) y[o] = acc[o];
      return [activate(L.activation, y), [u]];
    }
  };

  // spec: {inputShape, scale, shift, layers: [{type, …, weights: {q, scales}, bias, gamma, beta, mean, variance}]}
  function create(spec) {
    var stack = spec.layers.map(function (l) {
      var L = Object.assign({}, l);
      if (!layers[l.type]) throw new Error("the page cannot run a " + l.type + " layer");
      if (l.weights) L.w = dequantize(int8s(l.weights.q), floats(l.weights.scales));
      if (l.bias) L.b = floats(l.bias);
      ["gamma", "beta", "mean", "variance"].forEach(function (key) { if (l[key]) L[key] = floats(l[key]); });
      return L;
    });
    var last = spec.layers[spec.layers.length - 1];
    return {
      // pixels: the prepared digit, 0…255 white on black, row by row → one probability per class.
      predict: function (pixels) {
        var x = new Float32Array(pixels.length);
        for (var i = 0; i < pixels.length; i++) x[i] = pixels[i] * spec.scale + spec.shift;
        var shape = spec.inputShape.slice();
        stack.forEach(function (L) { var r = layers[L.type](L, x, shape); x = r[0]; shape = r[1]; });
        return Array.from(last.activation === "softmax" ? x : activate("softmax", x));
      }
    };
  }

  window.MnistbookModel = { create: create };
})();
