// One batch of 64 through each of the reference CNN's convolutions (NHWC, fp32) at once, or as 64/m calls of m images
// each: does a smaller minibatch that stays in cache run faster per image? Thread CPU time, median of 20 (OMP_NUM_THREADS=1).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>
#include "oneapi/dnnl/dnnl.hpp"
using namespace dnnl; using tag = memory::format_tag; using dt = memory::data_type;
static double now() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main() {
  engine eng(engine::kind::cpu, 0); stream s(eng);
  struct L { const char *n; int ic, oc, hw; } ls[] = {{"conv1", 1, 32, 28}, {"conv2", 32, 64, 14}, {"conv3", 64, 64, 7}};
  const int N = 64;
  for (auto &l : ls) for (int m : {64, 16, 8, 4, 1}) {
    memory::dims src{m, l.ic, l.hw, l.hw}, wei{l.oc, l.ic, 3, 3}, bia{l.oc}, dst{m, l.oc, l.hw, l.hw}, st{1, 1}, pd{1, 1};
    auto smd = memory::desc(src, dt::f32, tag::nhwc), wmd = memory::desc(wei, dt::f32, tag::any), bmd = memory::desc(bia, dt::f32, tag::x),
         dmd = memory::desc(dst, dt::f32, tag::nhwc);
    post_ops po; po.append_eltwise(1, algorithm::eltwise_relu, 0, 0); primitive_attr attr; attr.set_post_ops(po);
    auto fpd = convolution_forward::primitive_desc(convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, smd, wmd, bmd, dmd, st, pd, pd), attr, eng);
    auto wpd = convolution_backward_weights::primitive_desc(convolution_backward_weights::desc(algorithm::convolution_direct, smd, wmd, bmd, dmd, st, pd, pd), eng, fpd);
    auto dpd = convolution_backward_data::primitive_desc(convolution_backward_data::desc(algorithm::convolution_direct, smd, wmd, dmd, st, pd, pd), eng, fpd);
    size_t sb = (size_t)N * l.ic * l.hw * l.hw, db = (size_t)N * l.oc * l.hw * l.hw;
    std::vector<float> S(sb, 0.5f), D(db, 0.25f), DS(sb), DD(db, 0.1f);
    memory W(fpd.weights_desc(), eng), B(bmd, eng), DW(wpd.diff_weights_desc(), eng), DB(bmd, eng), W2(dpd.weights_desc(), eng);
    memory Sm(smd, eng, nullptr), Dm(dmd, eng, nullptr), DSm(smd, eng, nullptr), DDm(dmd, eng, nullptr);
    // Weights of 0.01 (uninitialised memory may hold denormals, which slow every multiply-add down).
    for (memory *m : {&W, &B, &DW, &DB, &W2}) { float *p = (float *)m->get_data_handle(); for (size_t i = 0; i < m->get_desc().get_size() / 4; i++) p[i] = 0.01f; }
    convolution_forward f(fpd); convolution_backward_weights bw(wpd); convolution_backward_data bd(dpd);
    std::vector<std::pair<std::string, std::function<void()>>> jobs = {
      {"fwd", [&]() { for (int i = 0; i < N; i += m) { Sm.set_data_handle(S.data() + i * sb / N); Dm.set_data_handle(D.data() + i * db / N);
          f.execute(s, {{DNNL_ARG_SRC, Sm}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, Dm}}); } s.wait(); }},
      {"bwd_w", [&]() { for (int i = 0; i < N; i += m) { Sm.set_data_handle(S.data() + i * sb / N); DDm.set_data_handle(DD.data() + i * db / N);
          bw.execute(s, {{DNNL_ARG_SRC, Sm}, {DNNL_ARG_DIFF_DST, DDm}, {DNNL_ARG_DIFF_WEIGHTS, DW}, {DNNL_ARG_DIFF_BIAS, DB}}); } s.wait(); }},
      {"bwd_d", [&]() { for (int i = 0; i < N; i += m) { DSm.set_data_handle(DS.data() + i * sb / N); DDm.set_data_handle(DD.data() + i * db / N);
          bd.execute(s, {{DNNL_ARG_DIFF_SRC, DSm}, {DNNL_ARG_WEIGHTS, W2}, {DNNL_ARG_DIFF_DST, DDm}}); } s.wait(); }},
    };
    for (auto &j : jobs) {
      if (l.ic == 1 && j.first == "bwd_d") continue;
      std::vector<double> t; for (int w = 0; w < 3; w++) j.second();
      for (int r = 0; r < 20; r++) { double a = now(); j.second(); t.push_back(now() - a); }
      std::sort(t.begin(), t.end());
      printf("%s %-6s minibatch %2d: %7.3f ms for 64 images  %s\n", l.n, j.first.c_str(), m, t[10] * 1e3,
             (j.first == "fwd" ? fpd.impl_info_str() : j.first == "bwd_w" ? wpd.impl_info_str() : dpd.impl_info_str()));
    }
  }
}
