// The reference CNN's conv2 (14×14, 32 → 64) and conv3 (7×7, 64 → 64), 3×3 'same', bias + ReLU, one image on one
// thread: oneDNN's direct NHWC primitive (what the inference network ran before) against mnistbook's Winograd F(2,3)
// kernel (Sources/CKernels/winograd.c, AVX-512 and portable paths), interleaved; thread CPU time, median of 400 × 10
// calls. Also prints the largest difference from oneDNN relative to the output's largest magnitude.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>
#include "oneapi/dnnl/dnnl.hpp"
extern "C" {
#include "CKernels.h"
}
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

// This thread's CPU time: other processes taking the core do not count.
static double now() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

// 64-byte aligned, as mnistbook's Tensor allocates (a 512-bit access that straddles two cache lines costs about twice).
struct Buffer {
  float *p; size_t n;
  explicit Buffer(size_t n) : p(static_cast<float *>(std::aligned_alloc(64, (n * 4 + 63) / 64 * 64))), n(n) {
    if (!p) { std::perror("aligned_alloc"); std::exit(1); }
    std::fill(p, p + n, 0.0f);
  }
  Buffer(const Buffer &) = delete;
  Buffer(Buffer &&o) : p(o.p), n(o.n) { o.p = nullptr; }
  ~Buffer() { std::free(p); }
  float *data() { return p; }
  size_t size() const { return n; }
  float &operator[](size_t i) { return p[i]; }
  float *begin() { return p; }
  float *end() { return p + n; }
};

static Buffer values(size_t n, unsigned seed) {
  Buffer v(n);
  for (auto &x : v) { seed = seed * 1664525u + 1013904223u; x = float((seed >> 8) % 2001) / 1000.0f - 1.0f; }
  return v;
}

static void shape(engine &eng, stream &s, long hw, long ci, long co) {
  auto x = values(hw * hw * ci, 1), w = values(9 * ci * co, 2), b = values(co, 3);
  for (auto &v : w) v *= 0.1f;
  // oneDNN direct, NHWC, weights reordered once into its choice, ReLU as a post-op.
  auto src = memory::desc({1, ci, hw, hw}, dt::f32, tag::nhwc), dst = memory::desc({1, co, hw, hw}, dt::f32, tag::nhwc);
  auto d = convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, src,
                                     memory::desc({co, ci, 3, 3}, dt::f32, tag::any), memory::desc({co}, dt::f32, tag::x),
                                     dst, {1, 1}, {1, 1}, {1, 1});
  post_ops po; po.append_eltwise(1, algorithm::eltwise_relu, 0, 0); primitive_attr at; at.set_post_ops(po);
  auto pd = convolution_forward::primitive_desc(d, at, eng);
  memory user({{co, ci, 3, 3}, dt::f32, tag::hwio}, eng, w.data()), W(pd.weights_desc(), eng);
  reorder(user, W).execute(s, user, W); s.wait();
  Buffer yd(hw * hw * co), yw(hw * hw * co), yp(hw * hw * co);
  memory X(src, eng, x.data()), Y(dst, eng, yd.data()), B({{co}, dt::f32, tag::x}, eng, b.data());
  convolution_forward conv(pd);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, X}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, Y}};
  // Winograd: weights transformed once, scratch from the caller.
  Buffer u(16 * ci * co), scratch(mnistbook_winograd3_scratch_count(ci, co));
  mnistbook_winograd3_weights(w.data(), ci, co, u.data());
  auto direct = [&] { conv.execute(s, args); s.wait(); };
  auto wino = [&] { mnistbook_winograd3_forward(x.data(), u.data(), b.data(), 1, nullptr, nullptr, yw.data(), hw, hw, 1, ci, co, scratch.data(), nullptr, 0); };
  auto portable = [&] { mnistbook_winograd3_forward_portable(x.data(), u.data(), b.data(), 1, nullptr, nullptr, yp.data(), hw, hw, 1, ci, co, scratch.data()); };
  std::vector<double> td, tw, tp;
  for (int rep = 0; rep < 400; rep++) {
    double a = now(); for (int i = 0; i < 10; i++) direct(); td.push_back((now() - a) / 10);
    a = now(); for (int i = 0; i < 10; i++) wino(); tw.push_back((now() - a) / 10);
    if (rep % 20 == 0) { a = now(); portable(); tp.push_back(now() - a); }
  }
  double top = 0, dw = 0, dp = 0;
  for (size_t i = 0; i < yd.size(); i++) {
    top = std::max(top, (double)std::fabs(yd[i]));
    dw = std::max(dw, (double)std::fabs(yw[i] - yd[i]));
    dp = std::max(dp, (double)std::fabs(yp[i] - yd[i]));
  }
  auto med = [](std::vector<double> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2] * 1e6; };
  printf("%2ldx%-2ld %2ld -> %2ld  oneDNN direct %6.1f us  winograd %6.1f us (%.2fx)  portable %7.1f us  "
         "max |diff| / max |y|: winograd %.1e, portable %.1e  (%s)\n",
         hw, hw, ci, co, med(td), med(tw), med(td) / med(tw), med(tp), dw / top, dp / top, pd.impl_info_str());
}

int main() {
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  printf("AVX-512: %s\n", mnistbook_has_avx512() ? "yes" : "no");
  shape(eng, s, 14, 32, 64);
  shape(eng, s, 7, 64, 64);
}
