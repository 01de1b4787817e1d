// The reference CNN's conv1 (3×3, one input channel, 32 filters, 'same', bias, ReLU, on 28×28) on oneDNN's NHWC primitives
// against mnistbook's own kernels (Sources/CKernels/conv1.c), interleaved: a batch-64 training step's forward and weight
// gradient (median of 30) and one image at inference (median of 400 × 10 calls). Thread CPU time; run with OMP_NUM_THREADS=1.
// Build (from the repo root):
//   clang -O2 -ISources/CKernels/include -c Sources/CKernels/conv1.c -o /tmp/conv1.o
//   clang -O2 -ISources/CKernels/include -c Sources/CKernels/dense.c -o /tmp/dense.o
//   g++ -O2 -ISources/CKernels/include bench/c/conv1_step.cpp /tmp/conv1.o /tmp/dense.o -ldnnl -o /tmp/conv1_step
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>
#include "oneapi/dnnl/dnnl.hpp"
extern "C" {
#include "CKernels.h"
}
using namespace dnnl; using tag = memory::format_tag; using dt = memory::data_type;
static double now() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
struct Job { std::string name; std::function<void()> f; int calls; std::vector<double> t; };

static memory mem(const memory::desc &d, const engine &e) {
  memory m(d, e); float *p = (float *)m.get_data_handle();
  for (size_t i = 0; i < d.get_size() / 4; i++) p[i] = (float)((i * 7919) % 1000) / 500.f - 1.f;
  return m;
}

int main() {
  engine eng(engine::kind::cpu, 0); stream s(eng);
  const long H = 28, K = 3, CO = 32;
  std::vector<Job> jobs;
  for (long N : {64L, 1L}) {
    memory::dims src{N, 1, H, H}, wei{CO, 1, K, K}, bia{CO}, dst{N, CO, H, H}, st{1, 1}, pd{1, 1};
    auto smd = memory::desc(src, dt::f32, tag::nhwc), dmd = memory::desc(dst, dt::f32, tag::nhwc);
    auto wany = memory::desc(wei, dt::f32, tag::any), bmd = memory::desc(bia, dt::f32, tag::x);
    post_ops po; po.append_eltwise(1, algorithm::eltwise_relu, 0, 0); primitive_attr attr; attr.set_post_ops(po);
    auto prop = N == 1 ? prop_kind::forward_inference : prop_kind::forward_training;
    auto fpd = convolution_forward::primitive_desc(convolution_forward::desc(prop, algorithm::convolution_direct,
        smd, wany, bmd, dmd, st, pd, pd), attr, eng);
    auto S = mem(smd, eng), W = mem(fpd.weights_desc(), eng), B = mem(bmd, eng), Y = mem(dmd, eng), G = mem(dmd, eng);
    auto userW = mem(memory::desc(wei, dt::f32, tag::hwio), eng);
    float *x = (float *)S.get_data_handle(), *w = (float *)userW.get_data_handle(), *b = (float *)B.get_data_handle();
    float *y = (float *)Y.get_data_handle(), *g = (float *)G.get_data_handle();
    int calls = N == 1 ? 10 : 1;
    std::string tagN = " N=" + std::to_string(N);
    jobs.push_back({"oneDNN fwd+relu" + tagN + " (" + fpd.impl_info_str() + ")", [=, &s]() mutable {
      auto p = convolution_forward(fpd);  // primitive creation is cached by oneDNN
      for (int c = 0; c < calls; c++) { p.execute(s, {{DNNL_ARG_SRC, S}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, Y}}); s.wait(); } }, calls, {}});
    // The memories are captured so the raw pointers stay valid after this loop iteration.
    jobs.push_back({"own fwd+relu" + tagN, [=]() {
      (void)S; (void)userW; (void)B; (void)Y;
      for (int c = 0; c < calls; c++) mnistbook_conv1_forward(x, w, b, 1, nullptr, nullptr, y, H, H, K, 1, 1, H, H, CO, 0, N); }, calls, {}});
    if (N == 1) continue;
    auto wpd = convolution_backward_weights::primitive_desc(convolution_backward_weights::desc(algorithm::convolution_direct,
        smd, wany, bmd, dmd, st, pd, pd), eng, fpd);
    auto dW = mem(wpd.diff_weights_desc(), eng), dB = mem(bmd, eng);
    jobs.push_back({"oneDNN bwd_w+bias" + tagN + " (" + wpd.impl_info_str() + ")", [=, &s]() mutable {
      auto p = convolution_backward_weights(wpd);
      p.execute(s, {{DNNL_ARG_SRC, S}, {DNNL_ARG_DIFF_DST, G}, {DNNL_ARG_DIFF_WEIGHTS, dW}, {DNNL_ARG_DIFF_BIAS, dB}}); s.wait(); }, 1, {}});
    jobs.push_back({"own bwd_w+bias" + tagN, [=]() {
      (void)S; (void)userW; (void)G;
      std::vector<double> dw(K * K * CO), db(CO);
      mnistbook_conv1_backward_weights(x, g, H, H, K, 1, 1, H, H, CO, 0, N, dw.data(), db.data()); }, 1, {}});
  }
  for (int w = 0; w < 5; w++) for (auto &j : jobs) j.f();
  for (int rep = 0; rep < 400; rep++) for (auto &j : jobs) {
    if (rep >= 30 && j.calls == 1) continue;
    double t = now(); j.f(); j.t.push_back((now() - t) / j.calls);
  }
  for (auto &j : jobs) { std::sort(j.t.begin(), j.t.end()); printf("  %-70s %9.2f us (median of %zu)\n", j.name.c_str(), j.t[j.t.size() / 2] * 1e6, j.t.size()); }
}
