// The digit pad: a canvas to draw on (mouse, pen or finger through pointer events), the 28×28 digit the model sees
// after MNIST-style preparation, and a bar chart of the ten probabilities, updated while drawing.
// Shared by `mnistbook serve` (the server classifies) and the report's pad (the page runs the model itself).
(function () {
  "use strict";

  // Swift's Double.rounded(): half away from zero (Math.round rounds -2.5 to -2).
  function round(x) { return x < 0 ? -Math.round(-x) : Math.round(x); }

  // The port of Prediction.percent (Sources/Inference/Prediction.swift), so the pad reads like `predict`: one decimal,
  // or two where one would round to 100.0% or 0.0% ("99.97%"); ">99.99%" and "<0.01%" beyond that; "100%" and "0%"
  // only for exactly 1 and 0, so a confident guess never reads as certain. (toFixed breaks an exact decimal tie
  // upwards where Swift's %f takes the even digit: a probability times 100 is never such a tie in practice.)
  function percent(p) {
    if (p >= 1) return "100%";
    if (p <= 0) return "0%";
    var one = (100 * p).toFixed(1);
    if (one !== "100.0" && one !== "0.0") return one + "%";
    var two = (100 * p).toFixed(2);
    if (two === "100.00") return ">99.99%";
    if (two === "0.00") return "<0.01%";
    return two + "%";
  }

  // The port of Sources/Datasets/DigitPreparation.swift: border median as background, inverted when light,
  // cropped to the ink, longer side scaled to `box`, stretched to a 255 peak, pasted by centre of mass.
  // gray: {width, height, pixels: Uint8Array}; returns Uint8Array(size * size), or null when the image is blank.
  function prepare(gray, size, box) {
    var w = gray.width, h = gray.height, px = gray.pixels;
    var counts = new Array(256).fill(0), total = 0;
    for (var y = 0; y < h; y++) {
      var step = (y === 0 || y === h - 1) ? 1 : Math.max(w - 1, 1);
      for (var x = 0; x < w; x += step) { counts[px[y * w + x]]++; total++; }
    }
    var background = 255, seen = 0;
    for (var v = 0; v < 256; v++) { seen += counts[v]; if (2 * seen >= total) { background = v; break; } }
    var invert = background > 127, zero = invert ? 255 - background : background;
    var ink = new Float32Array(w * h), minX = w, minY = h, maxX = -1, maxY = -1;
    for (y = 0; y < h; y++) {
      for (x = 0; x < w; x++) {
        var p = invert ? 255 - px[y * w + x] : px[y * w + x];
        var k = Math.max(0, p - zero);
        ink[y * w + x] = k;
        if (k > 0) { minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y); }
      }
    }
    if (maxX < 0) return null;
    var cw = maxX - minX + 1, ch = maxY - minY + 1, long = Math.max(cw, ch);
    var sw = Math.max(1, round(cw * box / long)), sh = Math.max(1, round(ch * box / long));
    var wx = weights(cw, sw), wy = weights(ch, sh);
    var rows = new Float32Array(sw * ch);
    for (y = 0; y < ch; y++) {
      for (x = 0; x < sw; x++) {
        var s = 0;
        wx[x].forEach(function (t) { s += t[1] * ink[(minY + y) * w + minX + t[0]]; });
        rows[y * sw + x] = s;
      }
    }
    var digit = new Float32Array(sw * sh), peak = 0;
    for (y = 0; y < sh; y++) {
      for (x = 0; x < sw; x++) {
        var t2 = 0;
        wy[y].forEach(function (t) { t2 += t[1] * rows[t[0] * sw + x]; });
        digit[y * sw + x] = t2;
        peak = Math.max(peak, t2);
      }
    }
    var bytes = new Uint8Array(sw * sh), sum = 0, sx = 0, sy = 0;
    for (var i = 0; i < digit.length; i++) {
      var d = peak > 0 ? digit[i] * 255 / peak : digit[i];
      bytes[i] = Math.min(255, Math.max(0, round(d)));
      sum += bytes[i]; sx += bytes[i] * (i % sw); sy += bytes[i] * Math.floor(i / sw);
    }
    var cx = sum > 0 ? sx / sum : (sw - 1) / 2, cy = sum > 0 ? sy / sum : (sh - 1) / 2;
    var left = Math.min(Math.max(round(size / 2 - cx), 0), size - sw);
    var top = Math.min(Math.max(round(size / 2 - cy), 0), size - sh);
    var frame = new Uint8Array(size * size);
    for (y = 0; y < sh; y++) for (x = 0; x < sw; x++) frame[(top + y) * size + left + x] = bytes[y * sw + x];
    return frame;
  }

  // Area averaging when shrinking, bilinear between pixel centres when enlarging: [[index, weight], …] per output.
  function weights(n, m) {
    var ratio = n / m, out = [];
    for (var j = 0; j < m; j++) {
      if (m <= n) {
        var lo = j * ratio, hi = (j + 1) * ratio, taps = [];
        for (var i = Math.floor(lo); i < Math.min(n, Math.ceil(hi)); i++) {
          var overlap = Math.min(hi, i + 1) - Math.max(lo, i);
          if (overlap > 1e-9) taps.push([i, overlap / ratio]);
        }
        out.push(taps);
      } else {
        var c = Math.min(Math.max((j + 0.5) * ratio - 0.5, 0), n - 1), k = Math.min(Math.floor(c), n - 1), t = c - k;
        out.push(k + 1 < n && t > 0 ? [[k, 1 - t], [k + 1, t]] : [[k, 1]]);
      }
    }
    return out;
  }

  // Wires one pad: root holds canvas.pad-draw, canvas.pad-seen, .pad-bars, .pad-answer, button.pad-clear, input.pad-upload.
  // classify(request) resolves to {probabilities, prepared} or rejects with an Error whose message is shown;
  // request is {gray: {width, height, pixels}, blob: () => Promise<Blob>} for a drawing, {file: File} for an upload.
  function mount(root, classify, classNames) {
    var canvas = root.querySelector("canvas.pad-draw"), seen = root.querySelector("canvas.pad-seen");
    var bars = root.querySelector(".pad-bars"), answer = root.querySelector(".pad-answer");
    var ctx = canvas.getContext("2d", { willReadFrequently: true }), seenCtx = seen.getContext("2d");
    var rowsByClass = [];
    classNames.forEach(function (name) {
      var row = document.createElement("div");
      row.className = "pad-bar";
      row.innerHTML = '<span class="pad-bar-name"></span><span class="pad-bar-track"><span class="pad-bar-fill"></span></span>' +
        '<span class="pad-bar-value">–</span>';
      row.querySelector(".pad-bar-name").textContent = name;
      bars.appendChild(row);
      rowsByClass.push(row);
    });

    function clear() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      seenCtx.fillStyle = "#000";
      seenCtx.fillRect(0, 0, seen.width, seen.height);
      show(null);
      answer.textContent = "Draw a digit";
      root.dataset.digit = "";
    }

    function show(result) {
      var best = -1;
      if (result) result.probabilities.forEach(function (p, i) { if (best < 0 || p > result.probabilities[best]) best = i; });
      rowsByClass.forEach(function (row, i) {
        var p = result ? result.probabilities[i] : 0;
        row.querySelector(".pad-bar-fill").style.width = (100 * p).toFixed(1) + "%";
        row.querySelector(".pad-bar-value").textContent = result ? percent(p) : "–";
        row.classList.toggle("pad-bar-best", i === best);
      });
      if (!result) return;
      var image = seenCtx.createImageData(seen.width, seen.height);
      for (var i = 0; i < result.prepared.length; i++) {
        var v = result.prepared[i];
        image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
        image.data[4 * i + 3] = 255;
      }
      seenCtx.putImageData(image, 0, 0);
      answer.textContent = "It looks like a " + classNames[best] + " (" + percent(result.probabilities[best]) + ")";
      root.dataset.digit = classNames[best];
    }

    // One classification at a time; strokes drawn meanwhile are classified as soon as it returns.
    var busy = false, again = false;
    function run(request) {
      if (busy) { again = true; return; }
      busy = true;
      root.dataset.state = "busy";
      Promise.resolve().then(function () { return classify(request); }).then(function (result) {
        if (result === null) clear(); else show(result);
      }, function (error) {
        answer.textContent = error.message;
        root.dataset.digit = "";
      }).then(function () {
        busy = false;
        root.dataset.state = "idle";
        if (again) { again = false; run(drawing()); }
      });
    }

    function drawing() {
      var data = ctx.getImageData(0, 0, canvas.width, canvas.height).data, pixels = new Uint8Array(canvas.width * canvas.height);
      for (var i = 0; i < pixels.length; i++) pixels[i] = data[4 * i];
      return {
        gray: { width: canvas.width, height: canvas.height, pixels: pixels },
        blob: function () { return new Promise(function (done) { canvas.toBlob(done, "image/png"); }); }
      };
    }

    var last = null;
    function point(event) {
      var r = canvas.getBoundingClientRect();
      return [(event.clientX - r.left) * canvas.width / r.width, (event.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = point(event);
      ctx.beginPath();
      ctx.fillStyle = "#000";
      ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) return;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
      last = p;
      run(drawing());
    });
    function up() { if (last) { last = null; run(drawing()); } }
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", up);

    ctx.lineWidth = canvas.width / 14;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    root.querySelector(".pad-clear").addEventListener("click", clear);
    var upload = root.querySelector(".pad-upload");
    upload.addEventListener("change", function () {
      if (upload.files.length) run({ file: upload.files[0] });
      upload.value = "";
    });
    clear();
  }

  // A picture file as gray pixels at its own size (scaled down to at most `limit` a side): its border stays its own,
  // so preparation still tells its polarity.
  function decodeFile(file, limit) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, limit / Math.max(bitmap.width, bitmap.height));
      var w = Math.max(1, Math.round(bitmap.width * scale)), h = Math.max(1, Math.round(bitmap.height * scale));
      var c = document.createElement("canvas");
      c.width = w; c.height = h;
      var g = c.getContext("2d", { willReadFrequently: true });
      g.drawImage(bitmap, 0, 0, w, h);
      var data = g.getImageData(0, 0, w, h).data, pixels = new Uint8Array(w * h);
      for (var i = 0; i < pixels.length; i++) {
        // Transparent pixels count as white paper.
        var a = data[4 * i + 3] / 255, v = (data[4 * i] + data[4 * i + 1] + data[4 * i + 2]) / 3;
        pixels[i] = Math.round(v * a + 255 * (1 - a));
      }
      return { width: w, height: h, pixels: pixels };
    }, function () { throw new Error("This file is not an image the browser can read."); });
  }

  window.MnistbookPad = { mount: mount, prepare: prepare, decodeFile: decodeFile, percent: percent };
})();
